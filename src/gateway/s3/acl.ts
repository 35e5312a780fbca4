// ACLs of buckets and objects (?acl). The gateway has one user who owns everything, so the only ACL it can
// honour is "owner has FULL_CONTROL": that is what a GET answers, and all a PUT may say.
import { GatewayError } from '../errors';
import { BucketCall, notImplemented, ObjectCall, OWNER, OWNER_ID, readSmallBody, S3Call, S3Request, sendEmpty, sendXml } from './http';
import { parseXml, XmlNode } from './xml';

// GET /s3/BUCKET?acl
export async function getBucketAcl({ r }: BucketCall): Promise<void> {
  return sendXml(r, 200, 'AccessControlPolicy', ownerOnlyPolicy());
}

// PUT /s3/BUCKET?acl
export async function putBucketAcl({ ctx, r }: S3Call): Promise<void> {
  await ctx.cluster.resolveBucket(r.bucket!);
  await checkAcl(r);
  return sendEmpty(r, 200);
}

// GET, HEAD /s3/BUCKET/KEY?acl
export async function getObjectAcl({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  await ctx.cluster.headObject(ref, key);
  return sendXml(r, 200, 'AccessControlPolicy', ownerOnlyPolicy());
}

// PUT /s3/BUCKET/KEY?acl
export async function putObjectAcl({ ctx, r, ref, key }: ObjectCall): Promise<void> {
  await ctx.cluster.headObject(ref, key);
  await checkAcl(r);
  return sendEmpty(r, 200);
}

function ownerOnlyPolicy(): XmlNode[] {
  return [
    OWNER,
    [
      'AccessControlList',
      [
        [
          'Grant',
          [
            ['Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"', [['ID', OWNER_ID], ['DisplayName', OWNER_ID]]],
            ['Permission', 'FULL_CONTROL'],
          ],
        ],
      ],
    ],
  ];
}

/**
 * PutBucketAcl/PutObjectAcl accept canned `private`, or the policy GET ?acl returns (which `s3cmd cp`/`mv`
 * write back after copying). Anything that grants to others is refused with 501, which s3cmd tolerates.
 */
async function checkAcl(r: S3Request): Promise<void> {
  const h = r.req.headers;
  const canned = h['x-amz-acl'];
  if (canned !== undefined && String(canned) !== 'private') throw notImplemented(`the canned ACL "${String(canned)}"`);
  if (Object.keys(h).some((name) => name.startsWith('x-amz-grant-'))) throw notImplemented('ACL grants to other users');
  const text = await readSmallBody(r, 64 * 1024);
  if (!text.trim()) return;
  const policy = parseXml(text).AccessControlPolicy as { AccessControlList?: { Grant?: unknown } } | undefined;
  if (!policy || typeof policy !== 'object') throw new GatewayError(400, 'MalformedACLError', 'Expected an <AccessControlPolicy> document');
  const grant = policy.AccessControlList?.Grant;
  const grants = (Array.isArray(grant) ? grant : grant === undefined ? [] : [grant]) as { Grantee?: { ID?: unknown }; Permission?: unknown }[];
  for (const g of grants) {
    if (String(g?.Permission ?? '').trim() !== 'FULL_CONTROL' || String(g?.Grantee?.ID ?? '').trim() !== OWNER_ID)
      throw notImplemented('ACL grants to other users');
  }
}
