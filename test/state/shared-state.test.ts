// Routing state in the RouterState Durable Object: exact limits under concurrency, shared by every
// isolate, surviving restarts, within the hot-path round-trip budget.
import { env, evictDurableObject } from 'cloudflare:test';
import { parseConfigYaml } from '../../src/config/yaml';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { gatewayFor } from '../../src/gateway';
import type { DurableStateStore } from '../../src/state/durable-store';
import { minuteAlignedClock, testGateway, user } from '../helpers/gateway';

const LIMITED = `
model_list:
  - model_name: limited
    litellm_params: { model: openai/x, api_key: k, api_base: https://up.test/v1, rpm: 10 }
    model_info: { id: only }
router_settings: { routing_strategy: usage-based-routing }
`;

// Per-minute counters: a fixed clock keeps a test from straddling a minute boundary.
const fixedClock = () => {
  const t = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
  return () => t;
};

describe('usage limits', () => {
  it('50 concurrent requests against rpm: 10 get exactly 10 through within the minute', async () => {
    const gw = testGateway(LIMITED, { now: fixedClock() });
    const responses = await Promise.all(Array.from({ length: 50 }, () => gw.chat({ model: 'limited', messages: user() })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect(gw.upstream.calls).toHaveLength(10);
    const refused = responses.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const err = (await refused.json<any>()).error;
    expect(err.type).toBe('rate_limit_error');
    expect(err.message).toContain('limited');
  });

  it('spreads by tpm and never sends a deployment over its rpm, with any strategy', async () => {
    for (const strategy of ['simple-shuffle', 'latency-based-routing', 'least-busy', 'cost-based-routing']) {
      const gw = testGateway(`
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 }, rpm: 3 }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }, rpm: 2 }
router_settings: { routing_strategy: ${strategy} }
`, { now: fixedClock() });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await gw.chat({ model: 'g', messages: user() })).status);
      expect(statuses, strategy).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(gw.upstream.callsTo('a.test'), strategy).toHaveLength(3);
      expect(gw.upstream.callsTo('b.test'), strategy).toHaveLength(2);
    }
  });
});

describe('shared across isolates', () => {
  it('two separate Worker instances see the same counters', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const now = fixedClock();
    const a = testGateway(LIMITED, { stateNamespace: ns, now });
    const b = testGateway(LIMITED, { stateNamespace: ns, now });
    for (let i = 0; i < 6; i++) expect((await a.chat({ model: 'limited', messages: user() })).status).toBe(200);
    const state = await (await b.request('/v1/router/state')).json<any>();
    expect(state.groups.limited.deployments[0]).toMatchObject({ id: 'only', rpm: { used: 6, limit: 10 } });
    // b's requests count against the same 10
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await b.chat({ model: 'limited', messages: user() })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('a cooldown set through one instance is honoured by another from its first request', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const cfg = `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 }, model_info: { id: a } }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }, model_info: { id: b } }
router_settings: { num_retries: 0, cooldown_time: 60 }
`;
    const a = testGateway(cfg, { stateNamespace: ns, random: () => 0 });
    a.upstream.on('a.test', { status: 429, json: { error: { message: 'slow down' } } });
    // until a has failed once (and cooled down), keep asking
    for (let i = 0; i < 10 && a.upstream.callsTo('a.test').length === 0; i++) await a.chat({ model: 'g', messages: user() });
    expect(a.upstream.callsTo('a.test')).toHaveLength(1);
    const b = testGateway(cfg, { stateNamespace: ns, random: () => 0 });
    for (let i = 0; i < 5; i++) expect((await b.chat({ model: 'g', messages: user() })).headers.get('x-litellm-model-id')).toBe('b');
    expect(b.upstream.callsTo('a.test')).toHaveLength(0);
  });

  it('survives the object being evicted from memory (state is in SQLite)', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const now = fixedClock();
    const gw = testGateway(LIMITED, { stateNamespace: ns, now });
    for (let i = 0; i < 4; i++) await gw.chat({ model: 'limited', messages: user() });
    const stub = env.ROUTER_STATE!.get(env.ROUTER_STATE!.idFromName(`${ns}group:limited`));
    await evictDurableObject(stub);
    const fresh = testGateway(LIMITED, { stateNamespace: ns, now });
    const state = await (await fresh.request('/v1/router/state')).json<any>();
    expect(state.groups.limited.deployments[0].rpm.used).toBe(4);
  });
});

describe('the hot path budget', () => {
  const groupFor = (strategy: string, limits: string) => `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 }${limits} }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }${limits} }
router_settings: { routing_strategy: ${strategy} }
`;
  // With quota leases every strategy picks locally, limits or not: only a cold isolate's first pick waits.
  const cases: Array<[string, string]> = [
    ['simple-shuffle', ''],
    ['latency-based-routing', ''],
    ['cost-based-routing', ''],
    ['simple-shuffle', ', rpm: 100'],
    ['usage-based-routing', ', tpm: 100000'],
    ['usage-based-routing', ', rpm: 1000, tpm: 100000'],
    ['least-busy', ''],
  ];
  for (const [strategy, limits] of cases) {
    it(`${strategy}${limits ? ` with${limits.slice(1)}` : ''}: no blocking Durable Object round trip per request after the first`, async () => {
      const options = { configText: groupFor(strategy, limits), parseConfig: parseConfigYaml, stateNamespace: `${crypto.randomUUID()}:`, metricsFlushMs: 50, fetch: testGateway('model_list: []').upstream.fetch };
      const app = createApp(options);
      const { createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test');
      for (let i = 0; i < 5; i++) {
        const ctx = createExecutionContext();
        const res = await app.fetch(
          new Request('http://gw/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'g', messages: user() }) }),
          env,
          ctx,
        );
        expect(res.status).toBe(200);
        await waitOnExecutionContext(ctx);
      }
      const gateway = gatewayFor(env, options);
      if (!gateway.ok) throw gateway.error;
      const store = (gateway.router as unknown as { state: DurableStateStore }).state;
      expect(store.blockingRoundTrips).toBe(1);
    });
  }
});

describe('GET /v1/router/state', () => {
  it('shows per group and deployment: rpm and tpm against limits, latency, in-flight, cooldown', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1, rpm: 1, tpm: 5000 }, model_info: { id: a } }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }, model_info: { id: b } }
router_settings: { routing_strategy: least-busy, num_retries: 0 }
`, { now: minuteAlignedClock() });
    gw.upstream.on('b.test', { status: 429, json: { error: { message: 'slow down', type: 'rate_limit_error' } } });
    // whichever goes first, a serves one (then it is at its rpm) and b fails one (then it cools down)
    for (let i = 0; i < 2; i++) await gw.chat({ model: 'g', messages: user() });
    const state = await (await gw.request('/v1/router/state')).json<any>();
    const [a, b] = state.groups.g.deployments;
    expect(state.groups.g.routing_strategy).toBe('least-busy');
    expect(a).toMatchObject({ id: 'a', rpm: { used: 1, limit: 1 }, tpm: { used: 15, limit: 5000 }, in_flight: 0, cooldown_until: null });
    expect(a.latency_ms).toBeGreaterThanOrEqual(0);
    expect(b).toMatchObject({ id: 'b', rpm: { used: 1, limit: null }, last_error: 'RateLimitError' });
    expect(b.cooldown_until).not.toBeNull();
  });
});
