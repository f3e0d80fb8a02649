// npm run bench:metrics-object's Worker: drives one MetricsState object (the companion's bundle beside it) with `calls` record()
// calls, `concurrency` at a time, all with the same batch; `kind=echo` sends the same batch to an object that
// only receives it (what any RPC of that size costs both sides); `kind=read` calls series() and recent() of
// every shard a reader asks, six at a time, as /metrics and the dashboard do.
import { DurableObject } from 'cloudflare:workers';
export { MetricsState } from './index.js';

export class Echo extends DurableObject {
  record(batch) {
    return batch.counters ? undefined : null;
  }
}

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet', 'gemini-flash', 'llama-70b'];
const KEYS = ['ci', 'web', 'batch', 'support'];
const h = (n) => ({ buckets: [0, 0, 0, 0, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], sum: n * 0.08, count: n });

/**
 * A batch as toBatch() builds it (src/observability/prometheus/recorder.ts): `models` groups of two deployments,
 * `keys` key aliases, `latencies` successful requests a minute sample, `errors` recent errors.
 */
function batchOf({ models, keys, latencies, errors }) {
  const batch = { counters: {}, histograms: {}, minutes: [], errors: [] };
  for (const model of MODELS.slice(0, models)) {
    for (const d of [1, 2]) {
      const m = `model="openai/${model}",model_group="${model}",model_id="${model}-${d}"`;
      for (const key of KEYS.slice(0, keys)) {
        batch.counters[`litellm_proxy_total_requests_metric{requested_model="${model}",status_code="200",api_key_alias="${key}",team="t-${key}"}`] = 3;
        batch.counters[`litellm_spend_metric{${m},api_key_alias="${key}",team="t-${key}"}`] = 0.0012;
      }
      batch.counters[`litellm_requests_metric{${m}}`] = 3 * keys;
      batch.counters[`litellm_deployment_success_responses{requested_model="${model}",model_group="${model}",model_id="${model}-${d}",litellm_model_name="openai/${model}",api_provider="openai",api_base="https://api.openai.com/v1"}`] = 3 * keys;
      for (const t of ['input', 'output', 'total']) batch.counters[`litellm_${t}_tokens{${m}}`] = 40 * keys;
      batch.histograms[`litellm_request_total_latency_metric{${m}}`] = h(3 * keys);
      batch.histograms[`litellm_llm_api_latency_metric{${m}}`] = h(3 * keys);
      batch.minutes.push({ minute: Math.floor(Date.now() / 60_000), group: model, deployment: `${model}-${d}`, requests: latencies, failures: 0, tokens: 40 * latencies, latencies: Array.from({ length: latencies }, (_, i) => 50 + ((i * 37) % 400)) });
    }
  }
  for (let i = 0; i < errors; i++) batch.errors.push({ at: Date.now(), group: 'gpt-4o', deployment: 'gpt-4o-1', model: 'gpt-4o', status: 429, errorClass: 'RateLimitError', message: 'Rate limit reached for requests' });
  return batch;
}

export const SHAPES = {
  // One isolate's 50 ms window at a few requests a second: one request's series.
  request: { models: 1, keys: 1, latencies: 1, errors: 0 },
  // A busy isolate's window: 5 groups of 2 deployments, 4 keys, 10 requests per deployment.
  busy: { models: 5, keys: 4, latencies: 10, errors: 2 },
};

async function lanes(n, width, call) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await call(next++);
  }));
}

export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    const kind = u.searchParams.get('kind') ?? 'record';
    const calls = Number(u.searchParams.get('calls') ?? 1000);
    const concurrency = Number(u.searchParams.get('concurrency') ?? 16);
    const shape = u.searchParams.get('shape') ?? 'request';
    const name = u.searchParams.get('object') ?? 'bench';
    const batch = batchOf(SHAPES[shape]);
    if (kind === 'read') {
      const shards = Number(u.searchParams.get('shards') ?? 16);
      let bytes = 0;
      for (let r = 0; r < calls; r++) {
        await lanes(shards, 6, async (i) => {
          const stub = env.METRICS.get(env.METRICS.idFromName(`${name}:${i}`));
          const [series, recent] = await Promise.all([stub.series(), stub.recent(Date.now())]);
          bytes += JSON.stringify(series).length + JSON.stringify(recent).length;
        });
      }
      return Response.json({ bytesPerRead: bytes / calls });
    }
    const ns = kind === 'echo' ? env.ECHO : env.METRICS;
    const stub = ns.get(ns.idFromName(name));
    await lanes(calls, concurrency, () => stub.record(batch));
    return Response.json({ series: Object.keys(batch.counters).length + Object.keys(batch.histograms).length, bytes: JSON.stringify(batch).length });
  },
};
