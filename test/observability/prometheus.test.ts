import { describe, expect, it } from 'vitest';
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import type { Env } from '../../src/env';
import { openAIError } from '../helpers/fake-upstream';
import { minuteAlignedClock, testGateway, user } from '../helpers/gateway';
import { shardName } from '../../src/observability/shards';
import type { MetricsState } from '../../src/observability/shards/object';
import { METRICS } from '../../src/observability/prometheus/metrics';
import { renderExposition } from '../../src/observability/prometheus/exposition';

const MASTER = 'sk-master-abcdef123456';
const AUTH = { authorization: `Bearer ${MASTER}` };

const config = (settings = 'callbacks: ["prometheus"]') => `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-provider-secret-999999
      api_base: https://upstream.test/v1
      rpm: 100
      tpm: 10000
    model_info:
      id: oa-1
      input_cost_per_token: 0.001
      output_cost_per_token: 0.002
litellm_settings:
  ${settings}
general_settings:
  master_key: ${MASTER}
`;

const metrics = async (gw: ReturnType<typeof testGateway>) => {
  const res = await gw.request('/metrics', { headers: AUTH });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return res.text();
};

/** The value of one sample line, found by its exact name{labels}. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('prometheus: HELP texts (public/metrics-help.json)', () => {
  it('has one for every metric, and none for a metric that does not exist', async () => {
    const res = await env.ASSETS!.fetch('http://assets/metrics-help.json');
    const help = await res.json<Record<string, string>>();
    expect(Object.keys(help).sort()).toEqual(Object.keys(METRICS).sort());
    for (const text of Object.values(help)) expect(text).toMatch(/^[^\n\\]{10,}$/);
  });

  it('without them (no ASSETS binding) the exposition has TYPE lines and no HELP lines', () => {
    const text = renderExposition({ counters: { 'litellm_cache_hits_metric{model="m"}': 2 }, histograms: {}, gauges: {} });
    expect(text).toBe('# TYPE litellm_cache_hits_metric counter\nlitellm_cache_hits_metric_total{model="m"} 2.0\n');
  });
});

describe('prometheus: GET /metrics', () => {
  it("counts a request under LiteLLM's metric names, with tokens, spend and latency", async () => {
    const gw = testGateway(config());
    expect((await gw.chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(200);
    const text = await metrics(gw);
    expect(text).toContain('# TYPE litellm_proxy_total_requests_metric counter');
    // HELP texts come from public/metrics-help.json, through the ASSETS binding.
    expect(text).toContain('# HELP litellm_proxy_total_requests_metric Requests to the gateway, by requested model and status code\n# TYPE litellm_proxy_total_requests_metric counter\n');
    expect(text).toContain('# HELP litellm_request_total_latency_metric Whole request latency in seconds, retries and fallbacks included\n');
    expect(sample(text, 'litellm_proxy_total_requests_metric_total{requested_model="gpt-4o",status_code="200"}')).toBe(1);
    const model = 'model="openai/gpt-4o",model_group="gpt-4o",model_id="oa-1"';
    expect(sample(text, `litellm_requests_metric_total{${model}}`)).toBe(1);
    // The fake upstream reports 10 prompt + 5 completion tokens.
    expect(sample(text, `litellm_input_tokens_total{${model}}`)).toBe(10);
    expect(sample(text, `litellm_output_tokens_total{${model}}`)).toBe(5);
    expect(sample(text, `litellm_total_tokens_total{${model}}`)).toBe(15);
    expect(sample(text, `litellm_spend_metric_total{${model}}`)).toBeCloseTo(0.02);
    expect(text).toContain('# TYPE litellm_request_total_latency_metric histogram');
    expect(sample(text, `litellm_request_total_latency_metric_count{${model}}`)).toBe(1);
    expect(sample(text, `litellm_request_total_latency_metric_bucket{${model},le="+Inf"}`)).toBe(1);
    expect(sample(text, `litellm_llm_api_latency_metric_count{${model}}`)).toBe(1);
  });

  it('reports failures with their class and status, and deployment state from the routing state', async () => {
    const gw = testGateway(config(), { now: minuteAlignedClock() });
    gw.upstream.on('/chat/completions', openAIError(401, 'Incorrect API key provided: sk-provider-secret-999999', 'invalid_api_key'));
    expect((await gw.chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(401);
    expect((await gw.chat({ model: 'no-such-model', messages: user() }, AUTH)).status).toBe(404);
    const text = await metrics(gw);
    expect(sample(text, 'litellm_proxy_failed_requests_metric_total{requested_model="gpt-4o",exception_status="401",exception_class="AuthenticationError"}')).toBe(1);
    // An unknown model is labelled `unknown`: clients cannot mint new series.
    expect(sample(text, 'litellm_proxy_failed_requests_metric_total{requested_model="unknown",exception_status="404",exception_class="NotFoundError"}')).toBe(1);
    const d = 'litellm_model_name="openai/gpt-4o",model_id="oa-1",api_base="https://upstream.test/v1",api_provider="openai",model_group="gpt-4o"';
    // C03: a 401 cools even a group's only deployment at once (LiteLLM's rule): state 2, cooling down
    expect(sample(text, `litellm_deployment_state{${d}}`)).toBe(2);
    expect(sample(text, `litellm_remaining_requests_metric{${d}}`)).toBe(99);
    expect(text).not.toContain('sk-provider-secret');
    expect(text).not.toContain(MASTER);
  });

  it('sums what every isolate counts: four isolates on four metrics shards, no shard holding the total', async () => {
    const stateNamespace = `${crypto.randomUUID()}:`;
    const shards = [0, 5, 9, 15];
    const sent = [3, 1, 4, 2];
    const gateways = shards.map((metricsShard) => testGateway(config(), { stateNamespace, metricsShard }));
    // Each isolate's requests at once, so they also go out in batches.
    await Promise.all(gateways.map((gw, i) => Promise.all(Array.from({ length: sent[i] }, () => gw.chat({ model: 'gpt-4o', messages: user() }, AUTH)))));
    await Promise.all(gateways.map((gw) => gw.settle()));
    const total = 'litellm_proxy_total_requests_metric_total{requested_model="gpt-4o",status_code="200"}';
    const model = 'model="openai/gpt-4o",model_group="gpt-4o",model_id="oa-1"';
    for (const gw of gateways) {
      const text = await metrics(gw);
      expect(sample(text, total)).toBe(10);
      expect(sample(text, `litellm_total_tokens_total{${model}}`)).toBe(150);
      expect(sample(text, `litellm_spend_metric_total{${model}}`)).toBeCloseTo(0.2);
      expect(sample(text, `litellm_request_total_latency_metric_count{${model}}`)).toBe(10);
      expect(sample(text, `litellm_request_total_latency_metric_bucket{${model},le="+Inf"}`)).toBe(10);
    }
    // Each shard received only its own isolate's batches.
    const held = await Promise.all(shards.map((i) => env.METRICS!.get(env.METRICS!.idFromName(shardName(stateNamespace, i))).series()));
    expect(held.map((h) => h.counters['litellm_proxy_total_requests_metric{requested_model="gpt-4o",status_code="200"}'])).toEqual(sent);
  });

  it('counts every one of many concurrent requests of one isolate (sent in batches)', async () => {
    const gw = testGateway(config());
    const app = gw.app;
    const ctx = createExecutionContext();
    const call = () =>
      app.fetch(
        new Request('http://gateway.test/v1/chat/completions', {
          method: 'POST',
          headers: { ...AUTH, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o', messages: user() }),
        }),
        env as Env,
        ctx,
      );
    const responses = await Promise.all(Array.from({ length: 20 }, call));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await waitOnExecutionContext(ctx);
    expect(sample(await metrics(gw), 'litellm_proxy_total_requests_metric_total{requested_model="gpt-4o",status_code="200"}')).toBe(20);
  });

  it('needs the master key', async () => {
    const gw = testGateway(config());
    const res = await gw.request('/metrics');
    expect(res.status).toBe(401);
  });

  it('is off (404 that says how to turn it on) unless prometheus is listed', async () => {
    const gw = testGateway(config('success_callback: []'));
    const res = await gw.request('/metrics', { headers: AUTH });
    expect(res.status).toBe(404);
    expect((await res.json<any>()).error.message).toContain('litellm_settings.callbacks');
  });

  it('is served with prometheus in success_callback, as in the reference guide', async () => {
    const gw = testGateway(config('success_callback: ["prometheus"]'));
    await gw.chat({ model: 'gpt-4o', messages: user() }, AUTH);
    expect(await metrics(gw)).toContain('litellm_proxy_total_requests_metric_total');
  });
});

describe('the metrics never hold up a response', () => {
  it('answers before the metrics object is written', async () => {
    const gw = testGateway(config());
    const ctx = createExecutionContext();
    const res = await gw.app.fetch(
      new Request('http://gateway.test/v1/chat/completions', {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: user() }),
      }),
      env as Env,
      ctx,
    );
    expect(res.status).toBe(200);
    // Not yet flushed: the batch goes out through waitUntil.
    expect(sample(await metrics(gw), 'litellm_proxy_total_requests_metric_total{requested_model="gpt-4o",status_code="200"}')).toBeUndefined();
    await waitOnExecutionContext(ctx);
    expect(sample(await metrics(gw), 'litellm_proxy_total_requests_metric_total{requested_model="gpt-4o",status_code="200"}')).toBe(1);
  });
});

describe('what a metrics shard receives', () => {
  it('one call a second from an isolate, however many requests it answers in that second', async () => {
    const ns = env.METRICS!;
    let records = 0;
    const counted = {
      idFromName: (name: string) => ns.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = ns.get(id) as unknown as Record<string, (...args: unknown[]) => unknown>;
        return new Proxy(stub, {
          get: (target, prop: string) => (prop === 'then' ? undefined : (...args: unknown[]) => (prop === 'record' && records++, target[prop](...args))),
        });
      },
    } as unknown as DurableObjectNamespace<MetricsState>;
    // The deployed window (the test helper's short one unset).
    const gw = testGateway(config(), { metricsFlushMs: undefined }, { METRICS: counted });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all(Array.from({ length: 10 }, (_, i) => sleep(i * 40).then(() => gw.chat({ model: 'gpt-4o', messages: user() }, AUTH))));
    await gw.settle();
    expect(records).toBe(1);
    expect(sample(await metrics(gw), 'litellm_proxy_total_requests_metric_total{requested_model="gpt-4o",status_code="200"}')).toBe(10);
  });
});
