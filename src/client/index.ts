// The one way the extension gets a client: by the kind of cluster it is talking to.
import { AisClusterClient } from './ais/client';
import { ClusterClient, ClusterConnection } from './cluster';
import { S3ClusterClient } from './s3';

export * from './cluster';
export { AisClusterClient } from './ais/client';
export { S3ClusterClient } from './s3';

export function createClusterClient(connection: ClusterConnection): ClusterClient {
  return connection.kind === 'ais' ? new AisClusterClient(connection) : new S3ClusterClient(connection);
}
