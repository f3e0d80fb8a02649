// Issue 17, finding 3: every in-flight entry has a deadline (its timeout plus a margin). A request whose isolate
// died never reports; past its deadline it stops counting, under steady traffic too, so least-busy comes back.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../src/router/strategies';
import { DurableStateStore } from '../../src/state/durable-store';
import type { AcquireRequest, DeploymentStats } from '../../src/state/ledger';
import { DEFAULT_HOLD_MS, Ledger } from '../../src/state/ledger';
import { testGateway, user } from '../helpers/gateway';

const T0 = Math.floor(1_700_000_000_000 / 60_000) * 60_000;
const HOLD = 30_000;
const cooldown = { allowedFails: 3, cooldownTime: 5, counterTtl: 5, disabled: false, groupSize: 2 };
const cs: Candidate[] = [
  { id: 'a', holdMs: HOLD },
  { id: 'b', holdMs: HOLD },
];

function acquire(l: Ledger, now: number, extra: Partial<AcquireRequest> = {}) {
  const r = l.acquire({ strategy: 'least-busy', candidates: cs, estTokens: 1, stream: false, args: {}, now, ...extra }, () => 0);
  if (!r.ok) throw new Error('no pick');
  return r;
}

const done = (l: Ledger, id: string, now: number, hold?: number) =>
  l.report({ id, acquired: true, hold, estTokens: 1, latencyMs: 5, ok: true, cooldown, now });

describe('Ledger: in-flight entries expire at their deadline', () => {
  it("a dead isolate's slot stops counting past its timeout plus margin, and least-busy picks the deployment again", () => {
    const l = new Ledger();
    expect(acquire(l, T0).id).toBe('a'); // never reported: its isolate died
    // Until the deadline, a counts as busy: least-busy sends everything to b.
    for (let t = T0 + 1_000; t < T0 + HOLD; t += 5_000) {
      const r = acquire(l, t);
      expect(r.id, `at +${t - T0} ms`).toBe('b');
      done(l, 'b', t + 10, r.hold);
    }
    expect(l.get('a', T0 + HOLD - 1).inFlight).toBe(1);
    expect(l.get('a', T0 + HOLD).inFlight).toBe(0);
    // a and b both idle: the tie goes to the first, a.
    expect(acquire(l, T0 + HOLD + 1).id).toBe('a');
  });

  it('expires under steady traffic to the same deployment (activity does not keep a dead entry alive)', () => {
    const l = new Ledger();
    acquire(l, T0, { exclude: ['b'] }); // the dead one, on a
    for (let t = T0 + 1_000; t < T0 + 20 * 60_000; t += 2_000) {
      const r = acquire(l, t, { exclude: ['b'] });
      done(l, 'a', t + 100, r.hold);
    }
    expect(l.get('a', T0 + 20 * 60_000).inFlight).toBe(0);
  });

  it("a report releases its own entry, not another request's", () => {
    const l = new Ledger();
    const long = acquire(l, T0, { exclude: ['b'], candidates: [{ id: 'a', holdMs: 10 * HOLD }, { id: 'b' }] });
    acquire(l, T0 + 1, { exclude: ['b'] }); // dies
    done(l, 'a', T0 + 2, long.hold);
    expect(l.get('a', T0 + 3).inFlight).toBe(1);
    // The dead entry's own deadline frees it, not the long request's.
    expect(l.get('a', T0 + 1 + HOLD).inFlight).toBe(0);
    // A late report of an entry that already expired frees nothing else.
    const live = acquire(l, T0 + 2 * HOLD, { exclude: ['b'] });
    done(l, 'a', T0 + 2 * HOLD + 1, long.hold);
    expect(l.get('a', T0 + 2 * HOLD + 2).inFlight).toBe(1);
    done(l, 'a', T0 + 2 * HOLD + 3, live.hold);
    expect(l.get('a', T0 + 2 * HOLD + 4).inFlight).toBe(0);
  });

  it('stats stored before deadlines existed (a bare count) expire after the default hold', () => {
    const l = new Ledger();
    l.load({ a: { minute: T0 / 60_000, rpm: 0, tpm: 0, inFlight: 3, activeAt: T0, fails: 0, cooldownUntil: 0 } as DeploymentStats });
    expect(l.get('a', T0 + DEFAULT_HOLD_MS - 1).inFlight).toBe(3);
    expect(l.get('a', T0 + DEFAULT_HOLD_MS).inFlight).toBe(0);
  });
});

describe('RouterState object: a killed isolate', () => {
  const CONFIG = `
model_list:
  - { model_name: g, litellm_params: { model: openai/x, api_key: k, api_base: https://x.test/v1 }, model_info: { id: x } }
  - { model_name: g, litellm_params: { model: openai/y, api_key: k, api_base: https://y.test/v1 }, model_info: { id: y } }
router_settings: { routing_strategy: least-busy, timeout: 5 }
`;
  // timeout 5 s + the 60 s margin
  const DEADLINE_MS = 65_000;

  it('gets its slots back after their deadline, not after 15 minutes without news', async () => {
    const ns = `${crypto.randomUUID()}:`;
    let clock = T0 + 1_000;
    const now = () => clock;
    // The isolate that dies: two picks of x, the second a second later, so its sync carries both to the object
    // (under quota leases an isolate's in-flight counts travel with its syncs); then it never reports.
    const dead = new DurableStateStore(env.ROUTER_STATE!, ns);
    const candidates: Candidate[] = [{ id: 'x', holdMs: DEADLINE_MS }, { id: 'y', holdMs: DEADLINE_MS }];
    const pickDead = (exclude: string[]) =>
      dead.acquire('g', { strategy: 'least-busy', candidates, estTokens: 1, stream: false, args: {}, exclude, now: clock, seed: 0 }, () => {});
    expect(await pickDead(['y'])).toMatchObject({ ok: true, id: 'x' });
    clock += 1_500;
    expect(await pickDead(['y'])).toMatchObject({ ok: true, id: 'x' });
    await new Promise((r) => setTimeout(r, 80));

    const gw = testGateway(CONFIG, { stateNamespace: ns, now, random: () => 0 });
    const inFlight = async () => {
      const s = await (await gw.request('/v1/router/state')).json<any>();
      return Object.fromEntries(s.groups.g.deployments.map((d: any) => [d.id, d.in_flight]));
    };
    expect(await inFlight()).toEqual({ x: 2, y: 0 });
    clock += 1_000;
    expect((await gw.chat({ model: 'g', messages: user() })).headers.get('x-litellm-model-id')).toBe('y');
    // Past the deadline of the dead isolate's last request: its slots count no more, under steady traffic too.
    clock = T0 + 2_500 + DEADLINE_MS + 1;
    expect(await inFlight()).toEqual({ x: 0, y: 0 });
    // The gateway's own view refreshes within a second (the request that finds it stale refreshes it); then x is free.
    await gw.chat({ model: 'g', messages: user() });
    await gw.settle();
    clock += 10;
    expect((await gw.chat({ model: 'g', messages: user() })).headers.get('x-litellm-model-id')).toBe('x');
  });

});
