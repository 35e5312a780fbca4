// DeleteObjects: up to 1000 keys of one bucket in one request, each answered Deleted or Error by name.
import { GatewayError } from '../errors';
import { BucketCall, readSmallBody, sendXml } from './http';
import { parseXml, XmlNode } from './xml';

// POST /s3/BUCKET?delete <Delete><Object><Key>…</Key></Object>…<Quiet>…</Quiet></Delete>
export async function deleteObjects({ ctx, r, ref }: BucketCall): Promise<void> {
  const doc = parseXml(await readSmallBody(r));
  const del = doc.Delete as { Object?: { Key?: unknown }[]; Quiet?: unknown } | undefined;
  if (!del || typeof del !== 'object') throw new GatewayError(400, 'MalformedXML', 'Expected a <Delete> document');
  const objects = del.Object ?? [];
  if (objects.length > 1000) throw new GatewayError(400, 'MalformedXML', 'At most 1000 keys can be deleted in one request');
  const quiet = String(del.Quiet ?? '').trim() === 'true';
  const results: XmlNode[] = [];
  for (const o of objects) {
    const key = typeof o?.Key === 'string' ? o.Key : o?.Key === undefined ? undefined : String(o.Key);
    if (key === undefined) throw new GatewayError(400, 'MalformedXML', 'Every <Object> needs a <Key>');
    try {
      await ctx.cluster.deleteObject(ref, key);
      if (!quiet) results.push(['Deleted', [['Key', key]]]);
    } catch (e) {
      if (e instanceof GatewayError && e.code === 'NoSuchKey') {
        if (!quiet) results.push(['Deleted', [['Key', key]]]); // S3: deleting what is not there succeeds
      } else {
        const ge = e instanceof GatewayError ? e : new GatewayError(500, 'InternalError', String((e as Error).message));
        results.push(['Error', [['Key', key], ['Code', ge.code], ['Message', ge.message]]]);
      }
    }
  }
  sendXml(r, 200, 'DeleteResult', results);
}
