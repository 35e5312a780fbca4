// What the bench runs, read once from the environment (see scripts/bench.mjs for the knobs): the scale of
// the work, the targets and the rows picked.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
export const MB = 1024 * 1024;
const sz = (n) => Math.max(1, Math.round(n * SCALE));
export const W = {
  single: sz(256) * MB,
  multipart: sz(512) * MB,
  partSize: 16 * MB,
  partsInFlight: 4,
  smallCount: sz(2000),
  smallSize: 4096,
  smallInFlight: 16,
  listKeys: sz(10_000),
  listPage: 1000,
  deepKeys: sz(100_000),
  bigFile: sz(1024) * MB,
  folderFiles: sz(1000),
  folderFileSize: 64 * 1024,
  deleteKeys: sz(10_000),
  copyKeys: sz(10_000),
  copySize: 1024,
  copyInFlight: 16,
  shardBytes: sz(1024) * MB,
  shardMembers: sz(10_000),
  ingestCount: sz(1_000_000),
  ingestInFlight: 64,
};
export const ALL_TARGETS = ['gateway-md5', 'gateway-xxhash', 'ceiling', 's3rver'];
export const BASE_GATEWAY = process.env.BENCH_BASE_GATEWAY;
const DEFAULT_TARGETS = BASE_GATEWAY ? ['gateway-md5', 'base-md5', 'gateway-xxhash', 'base-xxhash', 'ceiling'] : ALL_TARGETS;
export const targets = (process.env.BENCH_TARGETS ?? DEFAULT_TARGETS.join(',')).split(',').filter(Boolean);
/** Targets that run a build of the gateway: `gateway-<checksum>` (dist/) or `base-<checksum>` (BENCH_BASE_GATEWAY). */
export const isGatewayTarget = (target) => target.startsWith('gateway-') || target.startsWith('base-');
export const wantRows = process.env.BENCH_ROWS ? new Set(process.env.BENCH_ROWS.split(',')) : undefined;
export const BUCKET = 'bench';
