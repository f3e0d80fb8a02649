// Quota leases across isolates: several gateways (each its own Router and DurableStateStore, as separate
// isolates are) share one group's RouterState object and drive its limited deployments to saturation,
// concurrently. What the upstreams receive is the truth: never more than a limit in a minute, at least
// 95% of it when demand exceeds it, 429s only near it, and the same across minute boundaries, lease
// expiry and an object restart. Also: what simulated distance to the object costs a request.
import { createExecutionContext, env, evictDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import type { RouterState } from '../../src/state/durable-object';
import { DurableStateStore } from '../../src/state/durable-store';
import { withDistance } from '../../src/state/distance';
import { LEASE_TTL_MS, RECLAIM_MARGIN_MS } from '../../src/state/lease';
import { chatCompletion } from '../helpers/fake-upstream';
import { minuteAlignedClock, testGateway, user } from '../helpers/gateway';

const ns = () => env.ROUTER_STATE as DurableObjectNamespace<RouterState>;

const TWO_LIMITED = `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1, rpm: 200 }, model_info: { id: a } }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1, rpm: 100, tpm: 100000 }, model_info: { id: b } }
router_settings: { routing_strategy: usage-based-routing, num_retries: 0 }
`;

/** A clock the test moves: starts 1 s into a minute. */
function manualClock(offsetMs = 1_000) {
  const clock = { t: Math.floor(Date.now() / 60_000) * 60_000 + offsetMs };
  return { clock, now: () => clock.t };
}

function isolates(n: number, config: string, now: () => number, prefix = `${crypto.randomUUID()}:`) {
  return Array.from({ length: n }, () => {
    const store = new DurableStateStore(ns(), prefix);
    return { store, gw: testGateway(config, { state: store, now }) };
  });
}

type Isolate = ReturnType<typeof isolates>[number];
const callsTo = (all: Isolate[], host: string) => all.reduce((n, i) => n + i.gw.upstream.callsTo(host).length, 0);
const calls = (all: Isolate[]) => all.reduce((n, i) => n + i.gw.upstream.calls.length, 0);

/**
 * Each isolate sends `perIsolate` requests over `concurrency` connections. Records, for every 429, how
 * many requests the upstreams had received by then.
 */
async function drive(all: Isolate[], perIsolate: number, concurrency: number, onAnswer?: (done: number) => void) {
  const statuses: number[] = [];
  const upstreamAt429: number[] = [];
  await Promise.all(
    all.map(({ gw }) =>
      Promise.all(
        Array.from({ length: concurrency }, async (_, w) => {
          for (let i = w; i < perIsolate; i += concurrency) {
            const res = await gw.chat({ model: 'g', messages: user() });
            statuses.push(res.status);
            onAnswer?.(statuses.length);
            if (res.status === 429) upstreamAt429.push(calls(all));
            await res.arrayBuffer();
          }
        }),
      ),
    ),
  );
  return { ok: statuses.filter((s) => s === 200).length, limited: statuses.filter((s) => s === 429).length, other: statuses.filter((s) => s !== 200 && s !== 429), upstreamAt429 };
}

describe('quota leases across isolates', () => {
  it('4 isolates at twice the limit: each deployment gets at most its rpm, at least 95% of it, and 429s come only near it', async () => {
    const { now } = manualClock();
    const all = isolates(4, TWO_LIMITED, now);
    const r = await drive(all, 150, 6);
    expect(r.other).toEqual([]);
    expect(callsTo(all, 'a.test')).toBeLessThanOrEqual(200);
    expect(callsTo(all, 'b.test')).toBeLessThanOrEqual(100);
    expect(r.ok).toBe(calls(all));
    expect(r.ok).toBeGreaterThanOrEqual(0.95 * 300);
    expect(r.limited).toBe(600 - r.ok);
    // Refused only once the limit was (nearly) reached: within the lease share, less what was on its way.
    expect(Math.min(...r.upstreamAt429)).toBeGreaterThanOrEqual(0.95 * 300 - 4 * 6);
    // Most picks spent a lease: blocking trips are the cold start and the last few exact takes.
    const trips = all.reduce((n, i) => n + i.store.blockingRoundTrips, 0);
    console.log(`4 isolates, 600 requests for 300 rpm: ${r.ok} admitted, ${r.limited} refused, ${trips} blocking round trips`);
  });

  it('far from the limit, 4 isolates under concurrency pick from their leases: almost no blocking trip once warm', async () => {
    // A clock that runs: leases are sized by each isolate's pace in picks per second.
    const now = minuteAlignedClock();
    const all = isolates(4, TWO_LIMITED.replace('rpm: 200', 'rpm: 20000').replace('rpm: 100,', 'rpm: 10000,'), now);
    const trips = () => all.reduce((n, i) => n + i.store.blockingRoundTrips, 0);
    let atHalf = 0;
    const r = await drive(all, 200, 6, (done) => {
      if (done === 400) atHalf = trips();
    });
    expect(r.ok).toBe(800);
    // Cold, each connection's first request waits once; leases then grow with each isolate's pace.
    console.log(`4 isolates far below the limit: ${atHalf} blocking round trips in the first 400 requests, ${trips() - atHalf} in the next 400`);
    expect(trips() - atHalf).toBeLessThanOrEqual(8);
  });

  it('a minute boundary: leases carry into the next minute counted in it, each minute stays within its limit', async () => {
    const { clock, now } = manualClock(57_000);
    const all = isolates(3, TWO_LIMITED, now);
    // Below the limit, so every isolate still holds a lease when the minute ends.
    const first = await drive(all, 40, 4);
    expect(first.ok).toBe(120);
    // 4.5 s later, in the next minute: every lease of the last one is still within its lifetime, and what it
    // holds is counted again in the new minute.
    clock.t += 4_500;
    const second = await drive(all, 140, 4);
    expect(callsTo(all, 'a.test') - first.ok).toBeLessThanOrEqual(200);
    expect(calls(all) - first.ok).toBeLessThanOrEqual(300);
    expect(second.ok).toBeGreaterThanOrEqual(0.95 * 300);
  });

  it('what an isolate that went quiet held comes back once its lease is over', async () => {
    const { clock, now } = manualClock();
    const config = `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1, rpm: 400 }, model_info: { id: a } }
router_settings: { num_retries: 0 }
`;
    const [quiet, busy] = isolates(2, config, now);
    // The quiet one builds up a lease (its pace asks for more), then stops.
    await drive([quiet], 60, 8);
    const spentByQuiet = quiet.gw.upstream.calls.length;
    expect(spentByQuiet).toBe(60);
    clock.t += LEASE_TTL_MS + RECLAIM_MARGIN_MS + 1_000;
    const r = await drive([busy], 500, 8);
    // Everything the quiet isolate did not spend went to the busy one: the limit, exactly.
    expect(spentByQuiet + r.ok).toBe(400);
  });

  it('a lease spend is reported at once, not when its request ends: a long request cannot be reclaimed as unspent', async () => {
    const { clock, now } = manualClock();
    const prefix = `${crypto.randomUUID()}:`;
    const config = `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1, rpm: 400 }, model_info: { id: a } }
router_settings: { num_retries: 0 }
`;
    // Isolate A picks twice (a cold exact take, then a lease spend) and its requests are still running:
    // no outcome is reported. Its waitUntil work (the syncs) does finish.
    const a = new DurableStateStore(ns(), prefix);
    const work: Promise<unknown>[] = [];
    const req = () => ({ strategy: 'simple-shuffle' as const, candidates: [{ id: 'a', rpm: 400 }], estTokens: 10, stream: false, args: {}, now: now() });
    expect((await a.acquire('g', req(), (p) => work.push(p))).ok).toBe(true);
    expect((await a.acquire('g', req(), (p) => work.push(p))).ok).toBe(true);
    await Promise.all(work);
    // Long after A's lease lapsed, B takes all it can: what A spent must still count.
    clock.t += LEASE_TTL_MS + RECLAIM_MARGIN_MS + 1_000;
    const [b] = isolates(1, config, now, prefix);
    const r = await drive([b], 500, 8);
    expect(r.ok).toBe(398);
  });

  it('object restarts mid-minute with leases out and syncs on their way: the minute still stays within the limit', async () => {
    const { now } = manualClock();
    const prefix = `${crypto.randomUUID()}:`;
    const all = isolates(3, TWO_LIMITED, now, prefix);
    const stub = () => ns().get(ns().idFromName(`${prefix}group:g`));
    await drive(all, 40, 4);
    await evictDurableObject(stub());
    // Twice more while requests, lease renewals and exact takes are in flight.
    const evictions: Promise<void>[] = [];
    const r = await drive(all, 120, 4, (done) => {
      // The object may already be out of memory (evicted a moment ago, nothing since): that is a restart too.
      if (done === 60 || done === 150) evictions.push(evictDurableObject(stub()).catch((e: Error) => { if (!/not currently running/.test(e.message)) throw e; }));
    });
    await Promise.all(evictions);
    expect(r.other).toEqual([]);
    expect(callsTo(all, 'a.test')).toBeLessThanOrEqual(200);
    expect(callsTo(all, 'b.test')).toBeLessThanOrEqual(100);
    // Lease records are kept with the counts: the restarted object reclaims and carries them as before.
    expect(calls(all)).toBeGreaterThanOrEqual(0.95 * 300);
  });
});

describe('least-busy across isolates', () => {
  it('a new isolate sees the requests another isolate has in flight, and picks around them', async () => {
    const prefix = `${crypto.randomUUID()}:`;
    const config = `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 }, model_info: { id: a } }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }, model_info: { id: b } }
router_settings: { routing_strategy: least-busy, num_retries: 0 }
`;
    // Ties go to the first candidate (a).
    const first = testGateway(config, { state: new DurableStateStore(ns(), prefix), random: () => 0 });
    first.upstream.on('a.test', { json: chatCompletion('slow', 'a'), delayMs: 1_500 });
    // Three at once: a (slow), then b, b; b's answers report (with the in-flight counts) while a still runs.
    const slow = first.chat({ model: 'g', messages: user() });
    await new Promise((r) => setTimeout(r, 300)); // its cold sync and pick are done
    for (let i = 0; i < 2; i++) expect((await first.chat({ model: 'g', messages: user() })).headers.get('x-litellm-model-id'), 'first isolate').toBe('b');
    const second = testGateway(config, { state: new DurableStateStore(ns(), prefix), random: () => 0 });
    const res = await second.chat({ model: 'g', messages: user() });
    // Without the first isolate's count the tie would go to a.
    expect(res.headers.get('x-litellm-model-id'), 'second isolate').toBe('b');
    expect((await slow).status).toBe(200);
  });
});

describe('the object learns limits once', () => {
  /** Records every call to the group's object: method and first argument. */
  function recording(inner: DurableObjectNamespace<RouterState>) {
    const calls: Array<{ method: string; arg: any }> = [];
    const ns = {
      idFromName: (name: string) => inner.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = inner.get(id) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        return new Proxy(stub, {
          get: (target, prop) =>
            prop === 'then'
              ? undefined
              : (...args: unknown[]) => {
                  calls.push({ method: String(prop), arg: args[0] });
                  return target[prop as string](...args);
                },
        });
      },
    };
    return { calls, ns: ns as unknown as DurableObjectNamespace<RouterState> };
  }

  it('sends a group\'s limits with its first call only, and not again after the object restarts', async () => {
    const { now } = manualClock();
    const prefix = `${crypto.randomUUID()}:`;
    const rec = recording(ns());
    const gw = testGateway(TWO_LIMITED.replace('rpm: 200', 'rpm: 2000').replace('rpm: 100,', 'rpm: 1000,'), { state: new DurableStateStore(rec.ns, prefix), now });
    for (let i = 0; i < 20; i++) expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(200);
    const syncs = rec.calls.filter((c) => c.method === 'sync');
    expect(syncs.length).toBeGreaterThan(1);
    expect(syncs.map((c) => c.arg.limits !== undefined)).toEqual([true, ...syncs.slice(1).map(() => false)]);
    expect(syncs[0].arg.limits).toEqual({ a: { rpm: 2000 }, b: { rpm: 1000, tpm: 100000 } });
    // The object keeps what it learned in SQLite: a restarted object knows the hash.
    await evictDurableObject(ns().get(ns().idFromName(`${prefix}group:g`)));
    const before = rec.calls.length;
    for (let i = 0; i < 5; i++) expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(200);
    const after = rec.calls.slice(before).filter((c) => c.method === 'sync');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((c) => c.arg.limits === undefined)).toBe(true);
  });

  it('a second isolate with the same config sends the same hash, and its limits only with its first call', async () => {
    const { now } = manualClock();
    const prefix = `${crypto.randomUUID()}:`;
    const first = recording(ns());
    const second = recording(ns());
    const a = testGateway(TWO_LIMITED, { state: new DurableStateStore(first.ns, prefix), now });
    const b = testGateway(TWO_LIMITED, { state: new DurableStateStore(second.ns, prefix), now });
    expect((await a.chat({ model: 'g', messages: user() })).status).toBe(200);
    expect((await b.chat({ model: 'g', messages: user() })).status).toBe(200);
    // b sent limits on its first call (it could not know the object had them); the object answered and b
    // stops sending them. a's hash and b's are the same: one config, one entry.
    const bSyncs = second.calls.filter((c) => c.method === 'sync');
    expect(bSyncs[0].arg.limitsHash).toBe(first.calls[0].arg.limitsHash);
    expect(bSyncs.slice(1).every((c) => c.arg.limits === undefined)).toBe(true);
  });
});

describe('simulated distance to the state object (STATE_RTT_MS)', () => {
  /** Time to the response, not to the end of its waitUntil work (which does wait on the object). */
  async function timed(gw: ReturnType<typeof testGateway>, extraEnv: Partial<Env>) {
    const ctx = createExecutionContext();
    const started = Date.now();
    const res = await gw.app.fetch(
      new Request('http://gateway.test/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'g', messages: user() }) }),
      { ...env, ...extraEnv } as Env,
      ctx,
    );
    await res.arrayBuffer();
    const ms = Date.now() - started;
    await waitOnExecutionContext(ctx);
    return { status: res.status, ms };
  }

  it('at 200 ms RTT a limited group under usage-based routing waits for the object only on an isolate\'s first request', async () => {
    const gw = testGateway(TWO_LIMITED.replace('rpm: 200', 'rpm: 100000').replace('rpm: 100,', 'rpm: 100000,'));
    const rtt = { STATE_RTT_MS: '200' };
    const first = await timed(gw, rtt);
    expect(first.status).toBe(200);
    expect(first.ms).toBeGreaterThanOrEqual(190);
    const steady = [];
    for (let i = 0; i < 6; i++) steady.push(await timed(gw, rtt));
    expect(steady.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(Math.max(...steady.map((s) => s.ms))).toBeLessThan(100);
  });

  it('the wrapper delays every call by the round trip', async () => {
    const far = withDistance(ns(), 120);
    const started = Date.now();
    await far.get(far.idFromName(`${crypto.randomUUID()}:group:g`)).snapshot(Date.now());
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });
});
