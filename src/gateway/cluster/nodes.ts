// This one-process gateway as an AIStore cluster of one proxy and one target: their ids, URLs and id
// digests for the cluster map (core/meta/smap.go, snode_wire.go), and the config version.
import { createHash } from 'node:crypto';
import xxhashWasm from 'xxhash-wasm';

export interface NodeAddr {
  id: string;
  type: 'proxy' | 'target';
  /** Base URL this node answers on (http://host:port). */
  url: string;
  /** meta.Snode.IDDigest: xxhash64 of the id (seed MLCG32), as a decimal uint64 string. */
  digest: string;
}

/** What the cluster map and config replies say about this one-process cluster. */
export interface ClusterInfo {
  uuid: string;
  created: Date;
  /** Smap version. */
  version: number;
  proxy: NodeAddr;
  target: NodeAddr;
  configVersion: number;
  /** ms since epoch */
  configUpdated: number;
}

/** Letters only, 8 long, stable for a data dir: AIStore node ids look like this (cos.GenDaemonID). */
function nodeId(uuid: string, role: string): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const h = createHash('sha256').update(`${uuid}:${role}`).digest();
  return [...h.subarray(0, 8)].map((b) => letters[b % letters.length]).join('');
}

/** meta.Snode.setDigest: xxhash64 of the id with seed cos.MLCG32 (1103515245). */
async function idDigest(id: string): Promise<string> {
  const api = await xxhashWasm();
  return api.h64(id, 1103515245n).toString();
}

/** `targetId`: the id a multi-node proxy gave this process (one target of several; multinode/targets.ts). */
export async function makeClusterInfo(uuid: string, proxyUrl: string, targetUrl: string, targetId?: string): Promise<ClusterInfo> {
  const pid = nodeId(uuid, 'proxy');
  const tid = targetId ?? nodeId(uuid, 'target');
  return {
    uuid,
    created: new Date(),
    version: 3,
    proxy: { id: pid, type: 'proxy', url: proxyUrl, digest: await idDigest(pid) },
    target: { id: tid, type: 'target', url: targetUrl, digest: await idDigest(tid) },
    configVersion: 1,
    configUpdated: Date.now(),
  };
}

/** How AIStore names a node in messages (meta.Snode.StringEx): p[ID] for the proxy, t[ID] for the target. */
export function nodeName(info: ClusterInfo, role: 'proxy' | 'target'): string {
  return role === 'proxy' ? `p[${info.proxy.id}]` : `t[${info.target.id}]`;
}
