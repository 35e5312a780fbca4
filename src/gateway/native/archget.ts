// Reading out of a shard (ais/dpq.go _arch, ais/target.go, ais/tgtobj.go _txarch, core/lfile.go
// NewArchpathReader, cmn/archive/read.go):
//   GET /v1/objects/B/SHARD?archpath=MEMBER                 one member: its bytes, Content-Length, and
//                                                           application/octet-stream (nothing else: no checksum)
//   GET /v1/objects/B/SHARD?archregx=X&archmode=MODE        every matching member, repacked as a TAR
//                                                           (application/x-tar, streamed, no length)
// archmime names the format of a shard whose name does not. A member name is refused when it climbs out
// (".", "..", "~/", a trailing "/"); a leading "/" is dropped, and a name that starts with the shard's own
// name is taken relative to it (filepath.Rel). The first member of that name is the one (namesEq: a leading
// "/" in the archive does not count); ZIP directories are never members. No match is AIStore's 404
// ErrNotFound, "t[ID]: NAME in ais://b/shard does not exist". A Range with either is 501 ErrUnsupp.
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tarStream from 'tar-stream';
import { ArchExt, ArchMatchMode, bucketCname, QPARAM_ARCH } from '../../common/aisapi';
import { ArchiveError, detectMime, DETECT_BYTES, validateArchpath } from '../../common/archive/formats';
import { memberMatcher, validateMatchMode } from '../archive/match';
import { walkShard } from '../../common/archive/reader';
import { ShardFile } from '../archive/source';
import { packEntry, tarHeaderOf } from '../../common/archive/writer';
import { nodeName } from '../cluster/nodes';
import type { RequestContext } from '../context';
import type { BucketRef } from '../store/types';
import { badRequest, NativeError } from './errors';
import type { ObjectCall } from './http';

/** The dpq's archive part: one member (path) or many (mode set, regx possibly empty). */
export interface ArchQuery {
  path: string;
  mime: string;
  regx: string;
  mode?: ArchMatchMode;
}

/** dpq._arch: undefined when the GET is not about a shard's contents (archregx alone is not). */
export function archQueryOf(query: URLSearchParams): ArchQuery | undefined {
  let p = query.get(QPARAM_ARCH.path) ?? '';
  if (p.startsWith('/')) p = p.slice(1);
  if (p) validateArchpath(p);
  const rawMode = query.get(QPARAM_ARCH.mode);
  const mode = rawMode === null ? undefined : validateMatchMode(rawMode);
  if (p && mode)
    throw badRequest(`dpq: archpath=${JSON.stringify(QPARAM_ARCH.path)} (match one) and archregx=${JSON.stringify(QPARAM_ARCH.regx)} (match many) are mutually exclusive`);
  if (!p && !mode) return undefined;
  return { path: p, mime: query.get(QPARAM_ARCH.mime) ?? '', regx: query.get(QPARAM_ARCH.regx) ?? '', mode };
}

/** dpq._archstr: how AIStore names the selection in its messages. */
function archStr(q: ArchQuery): string {
  return q.mode ? `(${QPARAM_ARCH.regx}=${q.regx}, ${QPARAM_ARCH.mode}=${q.mode})` : `(${QPARAM_ARCH.path}=${q.path})`;
}

/** A shard object open for reading in place, and its format (by mime, name, or magic). */
export async function openShard(ctx: RequestContext, bucket: BucketRef, key: string, mime: string) {
  const { fh, dataSize } = await ctx.cluster.openObject(bucket, key);
  const file = new ShardFile(fh, dataSize);
  try {
    const format = detectMime(mime, key, await file.read(0, DETECT_BYTES));
    return { file, format };
  } catch (e) {
    await file.close();
    throw e;
  }
}

// GET /v1/objects/BUCKET/SHARD?archpath=... | ?archregx=...&archmode=...
export async function getFromShard(call: ObjectCall, q: ArchQuery): Promise<void> {
  const { ctx, req, bucket, key } = call;
  const range = req.headers.range;
  if (range) throw new NativeError(501, 'ErrUnsupp', `cannot range-read archived content range: ${range}, arch query: ${archStr(q)} - operation not supported`);
  if (q.path && q.path.startsWith(key)) {
    q = { ...q, path: path.posix.relative(key, q.path) || '.' };
    validateArchpath(q.path);
  }
  const { file, format } = await openShard(ctx, bucket, key, q.mime);
  const target = nodeName(ctx.info, 'target');
  const cname = `${bucketCname(bucket)}/${key}`;
  try {
    let found: boolean;
    if (q.mode) found = await sendMatching(call, file, format, q, target, cname);
    else {
      try {
        found = await sendOne(call, file, format, q.path);
      } catch (e) {
        // A broken shard is named in the message (AIStore: "failed to open ais://b/s.zip: zip: ...").
        if (e instanceof ArchiveError && !call.res.headersSent) throw new ArchiveError(e.status, e.tcode, `failed to open ${cname}: ${e.message}`);
        throw e;
      }
    }
    if (!found) throw new NativeError(404, 'ErrNotFound', `${target}: ${q.mode ? archStr(q) : q.path} in ${cname} does not exist`);
  } finally {
    await file.close();
  }
}

/** ReadOne: the first member of that name, sent whole with its length. */
async function sendOne({ res }: ObjectCall, file: ShardFile, format: ArchExt, name: string): Promise<boolean> {
  let found = false;
  await walkShard(file, format, async (m, open) => {
    if (format === '.zip' && m.dir) return;
    if (m.name !== name && m.name.replace(/^\//, '') !== name) return;
    const body = await open();
    found = true;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(m.size) });
    await sendMember(body, res);
    return true;
  });
  return found;
}

/** ReadUntil into a TAR (rcbCtx): the reply starts with the first match, so no match is still a 404. */
async function sendMatching({ res }: ObjectCall, file: ShardFile, format: ArchExt, q: ArchQuery, target: string, cname: string): Promise<boolean> {
  let pack: tarStream.Pack | undefined;
  let sent: Promise<void> | undefined;
  try {
    const match = memberMatcher(q.regx, q.mode!);
    await walkShard(file, format, async (m, open) => {
      if ((format === '.zip' && m.dir) || !match(m.name)) return;
      const body = await open();
      if (!pack) {
        pack = tarStream.pack();
        res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        sent = pipeline(pack as unknown as Readable, res);
        sent.catch(() => undefined);
      }
      await packEntry(pack, tarHeaderOf(m), body);
    });
  } catch (e) {
    if (pack) throw e; // the reply has begun: only the connection can say so
    const err = e as Error;
    throw badRequest(`${target}: failed to extract files that match ${archStr(q)} from ${cname}, err: ${err.message}`);
  }
  if (!pack) return false;
  pack.finalize();
  await sent;
  return true;
}

/** A member's bytes into the reply, which ends with them. */
async function sendMember(body: Readable, res: ObjectCall['res']): Promise<void> {
  await pipeline(body, res);
}
