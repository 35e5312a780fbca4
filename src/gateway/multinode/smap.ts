// The cluster map of a multi-node gateway (core/meta/smap.go as JSON, as wire.ts renders one node): the
// proxy in pmap, every target that is up in tmap. A target that fails keepalive leaves tmap and the
// version goes up, as ais/kalive.go does (the primary removes it: "keepalive: removing [target:ID]").
import type { NodeAddr } from '../cluster/nodes';
import { formatGoTime, snode } from '../native/wire';

export interface SmapState {
  uuid: string;
  created: Date;
  version: number;
  proxy: NodeAddr;
  targets: NodeAddr[];
}

export function multiSmapJson(s: SmapState): string {
  const proxy = snode(s.proxy);
  const smap = {
    pmap: { [s.proxy.id]: proxy },
    proxy_si: proxy,
    tmap: Object.fromEntries(s.targets.map((t) => [t.id, snode(t)])),
    uuid: s.uuid,
    creation_time: formatGoTime(s.created, '2006-01-02 15:04:05'),
    version: String(s.version),
  };
  // id_digest is a uint64 that may exceed 2^53: snode marks it, spliced in here as a bare number.
  return JSON.stringify(smap).replace(/"\\u0000digest:(\d+)"/g, '$1');
}
