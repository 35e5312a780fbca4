// The service (ListBuckets) and buckets: create, head, delete, and the bucket configurations this gateway
// answers with S3's defaults (no versioning, logging, notifications…) or with "not configured".
import { GatewayError } from '../errors';
import { validateBucketName } from '../store/keys';
import { BucketCall, isoDate, OWNER, readSmallBody, S3Call, sendEmpty, sendXml } from './http';
import type { XmlNode } from './xml';

// GET, HEAD /s3
export async function listBuckets({ ctx, r }: S3Call): Promise<void> {
  const buckets = await ctx.cluster.listBuckets();
  sendXml(r, 200, 'ListAllMyBucketsResult', [
    OWNER,
    ['Buckets', buckets.map((b): XmlNode => ['Bucket', [['Name', b.ref.name], ['CreationDate', isoDate(b.created ?? 0)]]])],
  ]);
}

// PUT /s3/BUCKET: an ais bucket, refused if a bucket of that name exists under any provider
export async function createBucket({ ctx, r }: S3Call): Promise<void> {
  const name = r.bucket!;
  validateBucketName(name);
  await readSmallBody(r, 64 * 1024); // optional CreateBucketConfiguration: regions do not apply here
  await ctx.cluster.createBucket({ provider: 'ais', name }, {}, { unique: true });
  return sendEmpty(r, 200, { Location: `/${name}` });
}

// HEAD /s3/BUCKET
export async function headBucket({ r }: BucketCall): Promise<void> {
  return sendEmpty(r, 200, { 'x-amz-bucket-region': 'us-east-1' });
}

// DELETE /s3/BUCKET
export async function deleteBucket({ ctx, r, ref }: BucketCall): Promise<void> {
  await ctx.cluster.deleteBucket(ref);
  return sendEmpty(r, 204);
}

// DELETE /s3/BUCKET?policy (?cors, ?tagging, ?lifecycle, ?website, ?encryption): there is none to delete
export async function deleteBucketConfig({ r }: BucketCall): Promise<void> {
  return sendEmpty(r, 204);
}

// GET /s3/BUCKET?location: empty, which S3 clients read as us-east-1
export async function getLocation({ r }: BucketCall): Promise<void> {
  return sendXml(r, 200, 'LocationConstraint', []);
}

// GET /s3/BUCKET?versioning: never enabled
export async function getVersioning({ r }: BucketCall): Promise<void> {
  return sendXml(r, 200, 'VersioningConfiguration', []);
}

// GET /s3/BUCKET?logging
export async function getLogging({ r }: BucketCall): Promise<void> {
  return sendXml(r, 200, 'BucketLoggingStatus', []);
}

// GET /s3/BUCKET?notification
export async function getNotification({ r }: BucketCall): Promise<void> {
  return sendXml(r, 200, 'NotificationConfiguration', []);
}

// GET /s3/BUCKET?requestPayment
export async function getRequestPayment({ r }: BucketCall): Promise<void> {
  return sendXml(r, 200, 'RequestPaymentConfiguration', [['Payer', 'BucketOwner']]);
}

// GET /s3/BUCKET?accelerate
export async function getAccelerate({ r }: BucketCall): Promise<void> {
  return sendXml(r, 200, 'AccelerateConfiguration', []);
}

/** Bucket configurations a bucket here never has, with the 404 S3 answers a GET of each with. */
const NOT_CONFIGURED: Record<string, [string, string]> = {
  policy: ['NoSuchBucketPolicy', 'The bucket policy does not exist'],
  cors: ['NoSuchCORSConfiguration', 'The CORS configuration does not exist'],
  lifecycle: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'],
  tagging: ['NoSuchTagSet', 'The TagSet does not exist'],
  website: ['NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration'],
  encryption: ['ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found'],
  'object-lock': ['ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket'],
  ownershipControls: ['OwnershipControlsNotFoundError', 'The bucket ownership controls were not found'],
  replication: ['ReplicationConfigurationNotFoundError', 'The replication configuration was not found'],
};
export const NEVER_CONFIGURED = Object.keys(NOT_CONFIGURED);

// GET /s3/BUCKET?policy (?cors, ?lifecycle, ?tagging, ?website, ?encryption, ?object-lock, ?ownershipControls, ?replication)
export async function getNotConfigured({ r }: BucketCall): Promise<void> {
  const [code, message] = NOT_CONFIGURED[NEVER_CONFIGURED.find((sub) => r.query.has(sub))!];
  throw new GatewayError(404, code, message, { BucketName: r.bucket! });
}
