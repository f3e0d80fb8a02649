// The hot-path budget: a request waits on at most one Durable Object round trip, whatever the routing
// strategy. Checked by behaviour, not by trusting a counter: while a request is answering, the
// RouterState namespace lets one call through and holds every other until the answer (the whole stream
// included) is out. A request that needed a second round trip would never answer, and the test fails.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import type { RouterState } from '../../src/state/durable-object';
import { DurableStateStore } from '../../src/state/durable-store';
import { testGateway, user } from '../helpers/gateway';

/** Wraps the RouterState namespace: calls pass freely between requests; during one, `allowance` pass. */
class HeldNamespace {
  private open = true;
  private allowance = 0;
  private held: Array<() => void> = [];
  /** Calls let through while the current request had not answered yet. */
  passedWhileAnswering = 0;
  calls = 0;

  constructor(private readonly inner: DurableObjectNamespace<RouterState>) {}

  idFromName(name: string) {
    return this.inner.idFromName(name);
  }

  get(id: DurableObjectId) {
    const stub = this.inner.get(id) as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
    return new Proxy(stub, {
      get: (target, prop) => {
        if (prop === 'then') return undefined; // a stub is not a promise
        return async (...args: unknown[]) => {
          this.calls++;
          await this.admit();
          return target[prop](...args);
        };
      },
    });
  }

  private admit(): Promise<void> {
    if (this.open) return Promise.resolve();
    if (this.allowance > 0) {
      this.allowance--;
      this.passedWhileAnswering++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.held.push(resolve));
  }

  beginRequest(allowance: number) {
    this.open = false;
    this.allowance = allowance;
    this.passedWhileAnswering = 0;
  }

  endRequest() {
    this.open = true;
    for (const release of this.held.splice(0)) release();
  }

  asNamespace() {
    return this as unknown as DurableObjectNamespace<RouterState>;
  }
}

const twoDeployments = (strategy: string, extra = '', settings = '') => `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1${extra} }, model_info: { id: a, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 } }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1${extra} }, model_info: { id: b, input_cost_per_token: 0.000002, output_cost_per_token: 0.000004 } }
router_settings: { routing_strategy: ${strategy} }
${settings}`;

const HIGH_LIMITS = ', rpm: 100000000, tpm: 100000000000';
const cases: Array<[string, string]> = [
  ['simple-shuffle', twoDeployments('simple-shuffle')],
  ['simple-shuffle with rpm/tpm limits', twoDeployments('simple-shuffle', HIGH_LIMITS)],
  ['usage-based-routing', twoDeployments('usage-based-routing', HIGH_LIMITS)],
  ['usage-based-routing-v2', twoDeployments('usage-based-routing-v2', HIGH_LIMITS)],
  ['latency-based-routing', twoDeployments('latency-based-routing')],
  ['least-busy', twoDeployments('least-busy')],
  ['cost-based-routing', twoDeployments('cost-based-routing')],
  ['least-busy with the response cache on', twoDeployments('least-busy', '', 'litellm_settings: { cache: true }')],
];

/** Sends one chat request with the namespace held; resolves once the answer (body included) is out. */
async function answerHeld(gw: ReturnType<typeof testGateway>, ns: HeldNamespace, body: Record<string, unknown>, patienceMs = 5_000) {
  const ctx = createExecutionContext();
  ns.beginRequest(1);
  const answered = (async () => {
    const res = await gw.app.fetch(
      new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      env as unknown as Env,
      ctx,
    );
    return { status: res.status, text: await res.text() };
  })();
  const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), patienceMs));
  const outcome = await Promise.race([answered, stuck]);
  const passed = ns.passedWhileAnswering;
  ns.endRequest();
  await answered;
  await waitOnExecutionContext(ctx);
  return { outcome, passed };
}

describe('blocking Durable Object round trips per request', () => {
  for (const [name, config] of cases) {
    it(`${name}: at most one, streamed or not`, async () => {
      const ns = new HeldNamespace(env.ROUTER_STATE as DurableObjectNamespace<RouterState>);
      const store = new DurableStateStore(ns.asNamespace(), `${crypto.randomUUID()}:`);
      const gw = testGateway(config, { state: store });
      const requests = [
        { model: 'g', messages: user() },
        { model: 'g', messages: user() },
        { model: 'g', messages: user(), stream: true },
        { model: 'g', messages: user('Something else') },
      ];
      for (const [i, body] of requests.entries()) {
        const before = store.blockingRoundTrips;
        const { outcome, passed } = await answerHeld(gw, ns, body);
        expect(outcome, `request ${i} waited on a second Durable Object round trip`).not.toBe('stuck');
        expect((outcome as { status: number }).status, `request ${i}`).toBe(200);
        expect(passed, `request ${i}`).toBeLessThanOrEqual(1);
        expect(store.blockingRoundTrips - before, `request ${i}`).toBeLessThanOrEqual(1);
      }
      // The requests were served and booked: state reports reached the object once released.
      expect(gw.upstream.calls.length).toBeGreaterThan(0);
      expect(ns.calls).toBeGreaterThan(0);
    });
  }

  it('fails a path that needs two round trips (the check can catch one)', async () => {
    const ns = new HeldNamespace(env.ROUTER_STATE as DurableObjectNamespace<RouterState>);
    const store = new DurableStateStore(ns.asNamespace(), `${crypto.randomUUID()}:`);
    // A store that waits on the object twice before picking: what the budget forbids.
    const twice = Object.assign(Object.create(store), {
      async acquire(...args: Parameters<DurableStateStore['acquire']>) {
        await store.snapshot(args[0], args[1].now);
        return store.acquire(...args);
      },
    }) as DurableStateStore;
    const gw = testGateway(twoDeployments('least-busy'), { state: twice });
    const { outcome } = await answerHeld(gw, ns, { model: 'g', messages: user() }, 500);
    expect(outcome).toBe('stuck');
  });
});
