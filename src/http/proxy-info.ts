// The proxy endpoints LiteLLM tooling polls: /model/info, /v1/model/info, /model_group/info, /health.
// Mounted behind the master key; nothing secret leaves (publicParams, scrubbed health errors).
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import type { KeyedEnv } from '../keys/auth';
import { modelVisible } from '../keys/auth';
import type { Deployment } from '../router/deployment';
import { RouterError } from '../router/errors';
import { publicParams } from '../router/public-params';
import { CHAT_PARAMS, EMBEDDING_PARAMS } from '../router/request';

type InfoEnv = KeyedEnv;

const orNull = <T>(v: T | undefined) => (v === undefined ? null : v);

/** One model_list entry as LiteLLM's /model/info shows it: model_name, litellm_params without secrets, model_info. */
function deploymentInfo(d: Deployment) {
  const i = d.info;
  return {
    model_name: d.group,
    litellm_params: publicParams(d.params),
    model_info: {
      ...publicParams(i),
      id: d.id,
      db_model: i.db_model === true,
      key: d.upstreamModel,
      litellm_provider: d.provider.name,
      mode: i.mode ?? 'chat',
      input_cost_per_token: orNull(i.input_cost_per_token),
      output_cost_per_token: orNull(i.output_cost_per_token),
      max_tokens: orNull(i.max_tokens),
      max_input_tokens: orNull(i.max_input_tokens),
      max_output_tokens: orNull(i.max_output_tokens),
      tpm: orNull(d.tpm),
      rpm: orNull(d.rpm),
    },
  };
}

const maxOf = (xs: Array<number | undefined>) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? Math.max(...known) : null;
};
const sumOf = (xs: Array<number | undefined>) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
};
const anyFlag = (ds: Deployment[], flag: string) => ds.some((d) => d.info[flag] === true);

/** A model group as LiteLLM's /model_group/info shows it: the widest limits, the summed rpm/tpm, its providers. */
function groupInfo(group: string, ds: Deployment[]) {
  const mode = ds[0]?.info.mode ?? 'chat';
  const params = new Set<string>();
  for (const d of ds) for (const p of d.provider.supportedParams ?? (mode === 'embedding' ? EMBEDDING_PARAMS : CHAT_PARAMS)) params.add(p);
  params.delete('model');
  return {
    model_group: group,
    providers: [...new Set(ds.map((d) => d.provider.name))],
    max_input_tokens: maxOf(ds.map((d) => d.info.max_input_tokens)),
    max_output_tokens: maxOf(ds.map((d) => d.info.max_output_tokens)),
    input_cost_per_token: maxOf(ds.map((d) => d.info.input_cost_per_token)),
    output_cost_per_token: maxOf(ds.map((d) => d.info.output_cost_per_token)),
    mode,
    tpm: sumOf(ds.map((d) => d.tpm)),
    rpm: sumOf(ds.map((d) => d.rpm)),
    supports_function_calling: anyFlag(ds, 'supports_function_calling'),
    supports_parallel_function_calling: anyFlag(ds, 'supports_parallel_function_calling'),
    supports_vision: anyFlag(ds, 'supports_vision'),
    supported_openai_params: [...params],
  };
}

/** A virtual key sees the deployments of the models it may call, as LiteLLM filters /model/info for it. */
const modelInfo = (c: Context<InfoEnv>) => {
  const { router } = c.var.gateway;
  const id = c.req.query('litellm_model_id');
  const visible = modelVisible(c);
  const all = [...router.deployments.values()].filter((d) => (id === undefined || d.id === id) && visible(d.group));
  return c.json({ data: all.map(deploymentInfo) });
};

export const proxyInfoRoutes = new Hono<InfoEnv>()
  .get('/model/info', modelInfo)
  .get('/v1/model/info', modelInfo)
  .get('/v2/model/info', modelInfo)
  .get('/model_group/info', (c) => {
    const { groups } = c.var.gateway.router;
    const asked = c.req.query('model_group');
    // A hidden alias has no group info (M03): only names /v1/models lists are looked up.
    if (asked !== undefined && !groups.visible().includes(asked)) {
      throw new RouterError('NotFoundError', `No model group named ${asked}`, { param: 'model_group', code: 'model_not_found' });
    }
    const visible = modelVisible(c);
    const names = (asked === undefined ? groups.names() : [groups.resolve(asked)]).filter(visible);
    return c.json({ data: names.map((g) => ({ ...groupInfo(g, groups.deployments(g)), access_groups: groups.accessOf(g), ...(asked !== undefined ? { model_group: asked } : {}) })) });
  })
  .get('/health', async (c) => c.json(await c.var.gateway.router.health(c.req.query('model')), 200, { 'cache-control': 'no-store' }));
