// Cluster config and buckets: config.json, and every bucket's props.json with its in-memory state.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChecksumType, isChecksumType, CHECKSUM_TYPES } from '../checksum';
import { errors } from '../errors';
import { DataDir } from './datadir';
import type { IndexFile } from './indexfile';
import type { KeyIndex } from './keyindex';
import { compareKeys, validateBucketName } from './keys';
import { BucketInfo, BucketProps, BucketRef, ChecksumConf, ClusterConfig, PROVIDERS, Provider } from './types';

export interface BucketState {
  ref: BucketRef;
  dir: string;
  props: BucketProps;
  index?: KeyIndex;
  indexLoading?: Promise<KeyIndex>;
  /** The index's snapshot and journal on disk (indexfile.ts), once the index is in use. */
  indexFile?: IndexFile;
}

function defaultChecksumConf(type: ChecksumType): ChecksumConf {
  return { type, validate_cold_get: true, validate_warm_get: false, validate_obj_move: false, enable_read_range: false };
}

/**
 * Whether a write to this bucket must compute the body's MD5. Like AIStore, only when something uses it:
 * the ETag (md5 buckets, and 'none' where nothing else can be the ETag), a Content-MD5 or md5 checksum the
 * client sent, or a remote bucket (the copy is pushed with its Content-MD5). MD5 of every byte is the
 * largest CPU cost of a large write; xxhash buckets skip it.
 */
export function needsMd5(b: BucketState, opts: { expectedMd5?: string; expectedChecksum?: { type: ChecksumType } } = {}): boolean {
  const type = b.props.checksum.type;
  return type === 'md5' || type === 'none' || b.ref.provider !== 'ais' || opts.expectedMd5 !== undefined || opts.expectedChecksum?.type === 'md5';
}

const bucketId = (ref: BucketRef) => `${ref.provider}/${ref.name}`;

export function isProvider(value: unknown): value is Provider {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
}

/** Validates and merges a partial checksum section; unknown fields and bad types are a 400. */
export function mergeChecksumConf(base: ChecksumConf, update: unknown): ChecksumConf {
  if (update === undefined) return base;
  if (typeof update !== 'object' || update === null || Array.isArray(update))
    throw errors.invalidArgument('"checksum" must be an object');
  const out: ChecksumConf = { ...base };
  for (const [name, value] of Object.entries(update)) {
    if (name === 'type') {
      if (!isChecksumType(value))
        throw errors.invalidArgument(
          `invalid checksum.type ${JSON.stringify(value)}: expected one of ${CHECKSUM_TYPES.join(', ')}`,
        );
      out.type = value;
    } else if (name === 'validate_cold_get' || name === 'validate_warm_get' || name === 'validate_obj_move' || name === 'enable_read_range') {
      if (typeof value !== 'boolean') throw errors.invalidArgument(`checksum.${name} must be true or false`);
      out[name] = value;
    } else {
      throw errors.invalidArgument(`unknown property checksum.${name}`);
    }
  }
  return out;
}

/** The buckets in the data directory, and the cluster config new buckets take their props from. */
export class Buckets {
  private readonly buckets = new Map<string, BucketState>();
  private cfg!: ClusterConfig;

  constructor(
    private readonly data: DataDir,
    private readonly defaultChecksum: ChecksumType | undefined,
  ) {}

  /** Reads the config (written with the defaults when there is none) and the buckets' props. */
  async load(): Promise<void> {
    const cfgFile = path.join(this.data.dir, 'config.json');
    try {
      this.cfg = JSON.parse(await fs.promises.readFile(cfgFile, 'utf8')) as ClusterConfig;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.cfg = {
        checksum: defaultChecksumConf(this.defaultChecksum ?? 'xxhash'),
        uuid: crypto.randomBytes(6).toString('base64url'),
      };
      await this.data.writeJsonAtomic(cfgFile, this.cfg);
    }
    for (const provider of PROVIDERS) {
      const pdir = path.join(this.data.dir, 'buckets', provider);
      let names: string[] = [];
      try {
        names = await fs.promises.readdir(pdir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      for (const name of names) {
        const bdir = path.join(pdir, name);
        try {
          const props = JSON.parse(await fs.promises.readFile(path.join(bdir, 'props.json'), 'utf8')) as BucketProps;
          const ref = { provider, name };
          this.buckets.set(bucketId(ref), { ref, dir: bdir, props });
        } catch {
          // A bucket directory without readable props was never fully created: not a bucket.
        }
      }
    }
  }

  /** Every bucket's state (for the recovery at start). */
  states(): IterableIterator<BucketState> {
    return this.buckets.values();
  }

  // ---------------------------------------------------------------- cluster config

  config(): ClusterConfig {
    return structuredClone(this.cfg);
  }

  async setConfig(update: { checksum?: unknown }): Promise<ClusterConfig> {
    const next = { ...this.cfg, checksum: mergeChecksumConf(this.cfg.checksum, update.checksum) };
    await this.data.writeJsonAtomic(path.join(this.data.dir, 'config.json'), next);
    this.cfg = next;
    return this.config();
  }

  // ---------------------------------------------------------------- buckets

  listBuckets(provider?: Provider): BucketInfo[] {
    return [...this.buckets.values()]
      .filter((b) => !provider || b.ref.provider === provider)
      .map((b) => ({ ref: { ...b.ref }, props: structuredClone(b.props) }))
      .sort((a, b) => compareKeys(a.ref.name, b.ref.name) || compareKeys(a.ref.provider, b.ref.provider));
  }

  findBuckets(name: string): BucketRef[] {
    return PROVIDERS.filter((p) => this.buckets.has(`${p}/${name}`)).map((provider) => ({ provider, name }));
  }

  hasBucket(ref: BucketRef): boolean {
    return this.buckets.has(bucketId(ref));
  }

  /** The bucket's state; NoSuchBucket when there is none. */
  state(ref: BucketRef): BucketState {
    const b = this.buckets.get(bucketId(ref));
    if (!b) throw errors.noSuchBucket(ref.name);
    return b;
  }

  getBucket(ref: BucketRef): BucketInfo {
    const b = this.state(ref);
    return { ref: { ...b.ref }, props: structuredClone(b.props) };
  }

  async createBucket(ref: BucketRef, props: { checksum?: unknown } = {}): Promise<BucketInfo> {
    validateBucketName(ref.name);
    if (!isProvider(ref.provider)) throw errors.invalidArgument(`unknown provider "${ref.provider}"`);
    if (this.buckets.has(bucketId(ref))) throw errors.bucketExists(ref.name);
    const dir = path.join(this.data.dir, 'buckets', ref.provider, ref.name);
    const full: BucketProps = {
      provider: ref.provider,
      checksum: mergeChecksumConf({ ...this.cfg.checksum }, props.checksum),
      versioning: { enabled: true, validate_warm_get: false, synchronize: false },
      created: Date.now() * 1e6,
      bid: crypto.randomBytes(4).readUInt32BE(0),
    };
    // No index yet: the first use finds the empty objects/ and writes the bucket's first index file.
    const state: BucketState = { ref: { ...ref }, dir, props: full };
    this.buckets.set(bucketId(ref), state);
    try {
      await fs.promises.mkdir(path.join(dir, 'objects'), { recursive: true });
      await this.data.writeJsonAtomic(path.join(dir, 'props.json'), full);
    } catch (e) {
      this.buckets.delete(bucketId(ref));
      throw e;
    }
    return this.getBucket(ref);
  }

  /** Removes a bucket with whatever is in it (Store.deleteBucket checks that it may). */
  async remove(b: BucketState): Promise<void> {
    this.buckets.delete(bucketId(b.ref));
    // Rename first so the bucket disappears at once; the removal of its files may take longer.
    const graveyard = this.data.tmpPath();
    await fs.promises.rename(b.dir, graveyard);
    this.data.forgetDirsUnder(b.dir);
    await fs.promises.rm(graveyard, { recursive: true, force: true });
  }

  async setBucketProps(ref: BucketRef, update: Record<string, unknown>): Promise<BucketInfo> {
    const b = this.state(ref);
    const next: BucketProps = { ...b.props };
    for (const [section, value] of Object.entries(update)) {
      if (section === 'checksum') next.checksum = mergeChecksumConf(b.props.checksum, value);
      else if (section === 'versioning') {
        if (typeof value !== 'object' || value === null) throw errors.invalidArgument('"versioning" must be an object');
        next.versioning = { ...b.props.versioning, ...(value as object) };
      } else throw errors.invalidArgument(`unknown or read-only bucket property "${section}"`);
    }
    await this.data.writeJsonAtomic(path.join(b.dir, 'props.json'), next);
    b.props = next;
    return this.getBucket(ref);
  }

  async resetBucketProps(ref: BucketRef): Promise<BucketInfo> {
    const b = this.state(ref);
    const next: BucketProps = { ...b.props, checksum: { ...this.cfg.checksum } };
    await this.data.writeJsonAtomic(path.join(b.dir, 'props.json'), next);
    b.props = next;
    return this.getBucket(ref);
  }
}
