// The cluster and the node: cluster map, configs, backends, and setting the cluster config. A
// proxy splits these by path (ais/prxclu.go httpcluget, ais/proxy.go httpdaeget): the cluster-wide config
// is /v1/cluster?what=cluster_config, a node's own (cluster + local) /v1/daemon?what=config; backends
// only on /v1/cluster. Jobs are jobqueries.ts's.
import { CHECKSUM_TYPES, isChecksumType } from '../checksum';
import type { RequestContext } from '../context';
import { badRequest } from './errors';
import { ActMsg, NativeCall, sendJson, sendOk } from './http';
import { configJson, smapJson } from './wire';

const CONFIG_BOOLEANS = ['validate_cold_get', 'validate_warm_get', 'validate_obj_move', 'enable_read_range'];

// GET /v1/cluster?what=smap, GET /v1/daemon?what=smap
export async function getSmap({ ctx, res }: NativeCall): Promise<void> {
  sendJson(res, 200, smapJson(ctx.info));
}

// GET /v1/cluster?what=cluster_config
export async function getClusterConfig({ ctx, res }: NativeCall): Promise<void> {
  sendJson(res, 200, JSON.stringify(clusterConfig(ctx)));
}

// GET /v1/daemon?what=config
export async function getNodeConfig({ ctx, res }: NativeCall): Promise<void> {
  sendJson(res, 200, JSON.stringify({ ...localConfigJson(ctx), ...clusterConfig(ctx) }));
}

// GET /v1/cluster?what=backends
export async function getBackends({ ctx, res }: NativeCall): Promise<void> {
  sendJson(res, 200, JSON.stringify(remoteProviders(ctx)));
}

// PUT /v1/cluster/set-config?checksum.type=md5 (api/cluster.go SetClusterConfig; `ais config cluster checksum.type=md5`)
export async function setConfigFromQuery({ ctx, res, query }: NativeCall): Promise<void> {
  const checksum: Record<string, unknown> = {};
  for (const [name, value] of query) {
    if (name === 'transient') continue;
    const m = /^checksum\.(.+)$/.exec(name);
    if (!m) throw badRequest(`unknown or unsupported configuration property "${name}" (supported: checksum.*)`);
    const field = m[1];
    if (field === 'type') {
      if (!isChecksumType(value))
        throw badRequest(`invalid checksum type "${value}" (expecting [${CHECKSUM_TYPES.join(' ')}])`);
      checksum.type = value;
    } else if (CONFIG_BOOLEANS.includes(field)) {
      if (value !== 'true' && value !== 'false') throw badRequest(`invalid value "${value}" for ${name}: expecting true or false`);
      checksum[field] = value === 'true';
    } else {
      throw badRequest(`unknown configuration property "${name}" (checksum has: type, ${CONFIG_BOOLEANS.join(', ')})`);
    }
  }
  if (Object.keys(checksum).length === 0) throw badRequest('set-config: no properties given (e.g. ?checksum.type=md5)');
  await applyConfig(ctx, { checksum });
  sendOk(res);
}

// PUT /v1/cluster {"action": "set-config", "value": {...}}
export async function setConfig({ ctx, res }: NativeCall, msg: ActMsg): Promise<void> {
  await applyConfig(ctx, msg.value);
  sendOk(res);
}

function remoteProviders(ctx: RequestContext): string[] {
  return ctx.cluster.providers().filter((p) => p !== 'ais');
}

function clusterConfig(ctx: RequestContext): Record<string, unknown> {
  return configJson(ctx.cluster.config(), ctx.info.configVersion, ctx.info.configUpdated, remoteProviders(ctx));
}

/** cmn.LocalConfig (cmn/config.go), inlined next to the cluster config in a node's config (cmn.Config). */
function localConfigJson(ctx: RequestContext): Record<string, unknown> {
  const own = ctx.role === 'proxy' ? ctx.info.proxy : ctx.info.target;
  const u = new URL(own.url);
  const port = u.port; // ports are `json:",string"`
  return {
    fspaths: own.type === 'target' ? { paths: { [ctx.cluster.dataDir]: '' } } : {},
    confdir: '',
    log_dir: '',
    test_fspaths: { root: '', count: 0, instance: 0 },
    host_net: { hostname: u.hostname.replace(/^\[|\]$/g, ''), hostname_intra_control: '', hostname_intra_data: '', port, port_intra_control: port, port_intra_data: port },
  };
}

async function applyConfig(ctx: RequestContext, value: unknown): Promise<void> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('set-config: value must be a JSON object');
  for (const section of Object.keys(value)) {
    if (section !== 'checksum') throw badRequest(`unknown or unsupported configuration section "${section}" (supported: checksum)`);
  }
  const cks = (value as { checksum?: Record<string, unknown> }).checksum;
  if (cks && typeof cks === 'object' && 'type' in cks && !isChecksumType(cks.type))
    throw badRequest(`invalid checksum type ${JSON.stringify(cks.type)} (expecting [${CHECKSUM_TYPES.join(' ')}])`);
  await ctx.cluster.setConfig({ checksum: cks });
  ctx.info.configVersion++;
  ctx.info.configUpdated = Date.now();
}
