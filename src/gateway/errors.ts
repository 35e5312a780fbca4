// One error type for the whole gateway. `code` is the S3 error code; the native API renders the same
// error as AIStore's JSON ({message, method, url_path, remote_addr, status}).
import type * as http from 'node:http';

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const errors = {
  noSuchBucket: (bucket: string) =>
    new GatewayError(404, 'NoSuchBucket', `The specified bucket does not exist: "${bucket}"`, { BucketName: bucket }),
  noSuchKey: (bucket: string, key: string) =>
    new GatewayError(404, 'NoSuchKey', `The specified key does not exist: "${bucket}/${key}"`, { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new GatewayError(404, 'NoSuchUpload', `The specified multipart upload does not exist: "${uploadId}"`, { UploadId: uploadId }),
  bucketExists: (bucket: string) =>
    new GatewayError(409, 'BucketAlreadyOwnedByYou', `Bucket "${bucket}" already exists`, { BucketName: bucket }),
  bucketNotEmpty: (bucket: string) =>
    new GatewayError(409, 'BucketNotEmpty', `The bucket "${bucket}" is not empty: delete its objects first`, { BucketName: bucket }),
  invalidBucketName: (bucket: string, why: string) =>
    new GatewayError(400, 'InvalidBucketName', `Invalid bucket name "${bucket}": ${why}`, { BucketName: bucket }),
  invalidArgument: (message: string) => new GatewayError(400, 'InvalidArgument', message),
  keyTooLong: () => new GatewayError(400, 'KeyTooLongError', 'Object key is longer than 1024 bytes'),
  badDigest: (message: string) => new GatewayError(400, 'BadDigest', message),
  incompleteBody: (expected: number, got: number) =>
    new GatewayError(400, 'IncompleteBody', `Request body ended after ${got} of ${expected} bytes`),
  invalidPart: (message: string) => new GatewayError(400, 'InvalidPart', message),
  invalidPartOrder: () =>
    new GatewayError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order'),
  entityTooSmall: (partNumber: number) =>
    new GatewayError(400, 'EntityTooSmall', `Part ${partNumber} is smaller than the minimum allowed size of 5 MiB`),
};

/**
 * Sends a refusal of a request whose body is still coming in. A client that asked to close the
 * connection (VS Code's HTTP agents always do) gets it once the body is read and dropped: closing with
 * bytes unread resets the connection, and the client loses the answer. Others get it at once while the
 * rest is read and dropped, and keep their connection.
 */
export function answerAfterBody(req: http.IncomingMessage, send: () => void): void {
  req.resume();
  if (req.complete || !/\bclose\b/i.test(String(req.headers.connection ?? ''))) return send();
  let sent = false;
  const once = () => {
    if (sent) return;
    sent = true;
    send();
  };
  req.once('end', once);
  req.once('close', once);
}
