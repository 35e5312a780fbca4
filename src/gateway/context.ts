// What a request handler of either API (/s3, /v1) is given: the cluster to ask, and who is answering.
import type { Cluster } from './cluster/cluster';
import type { ClusterInfo } from './cluster/nodes';

export interface RequestContext {
  /** Buckets and objects across providers (ais in the store, aws read/written through to the remote). */
  cluster: Cluster;
  /** Which listener took the request: the public one (proxy), or the target listener in redirect mode. */
  role: 'proxy' | 'target';
  /** This gateway as an AIStore cluster: node ids and URLs for the cluster map, config version. */
  info: ClusterInfo;
}
