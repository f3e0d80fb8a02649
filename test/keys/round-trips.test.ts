// What virtual keys cost on the request path, in KeyStore calls: nothing for the master key (so nothing for
// a config that never made a key), nothing in steady state for a key without limits (its record is cached),
// nor for a key with limits once this isolate holds leases on it (an exact `admit` only before that).
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { keyGateway, manualClock, MASTER } from './helpers';

/** The KEYS namespace, counting calls to its objects by method. */
function countingKeys() {
  const inner = env.KEYS!;
  const calls: string[] = [];
  /** Calls per object, by the name its id was made from. */
  const byObject = new Map<string, number>();
  const names = new Map<string, string>();
  const ns = {
    idFromName: (name: string) => {
      const id = inner.idFromName(name);
      names.set(id.toString(), name);
      return id;
    },
    get(id: DurableObjectId) {
      const stub = inner.get(id) as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
      const name = names.get(id.toString()) ?? id.toString();
      return new Proxy(stub, {
        get: (target, prop) => {
          if (prop === 'then') return undefined;
          return (...args: unknown[]) => {
            calls.push(String(prop));
            byObject.set(name, (byObject.get(name) ?? 0) + 1);
            return target[prop](...args);
          };
        },
      });
    },
  };
  const blocking = () => calls.filter((m) => m === 'lookup' || m === 'admit');
  return { env: { KEYS: ns as unknown as Env['KEYS'] }, calls, blocking, byObject };
}

describe('KeyStore round trips on the request path', () => {
  it('none for the master key, with or without virtual keys', async () => {
    const keys = countingKeys();
    const gw = keyGateway({ now: manualClock() }, '', keys.env);
    for (let i = 0; i < 5; i++) expect((await gw.call(MASTER)).status).toBe(200);
    expect(keys.calls).toEqual([]);
    await gw.generate({ rpm_limit: 5 });
    keys.calls.length = 0;
    for (let i = 0; i < 5; i++) expect((await gw.call(MASTER)).status).toBe(200);
    expect(keys.calls).toEqual([]);
  });

  it('none for a key that is not one of ours', async () => {
    const keys = countingKeys();
    const gw = keyGateway({}, '', keys.env);
    expect((await gw.call('not-a-virtual-key')).status).toBe(401);
    expect(keys.calls).toEqual([]);
  });

  it('one lookup per isolate and staleness window for a key without limits; spend is booked in the background', async () => {
    const now = manualClock();
    const keys = countingKeys();
    const gw = keyGateway({ now }, '', keys.env);
    const { key } = await gw.generate({});
    keys.calls.length = 0;
    for (let i = 0; i < 5; i++) expect((await gw.call(key)).status).toBe(200);
    expect(keys.blocking()).toEqual(['lookup']);
    expect(keys.calls.filter((m) => m === 'settle').length).toBeGreaterThan(0);
  });

  it('a change through key management drops the isolate\'s cached records (read again at once); a read (POST /tag/info) does not', async () => {
    const now = manualClock();
    const keys = countingKeys();
    const gw = keyGateway({ now }, '', keys.env);
    const { key } = await gw.generate({});
    expect((await gw.admin('/tag/new', { name: 'docs', max_budget: 1 })).status).toBe(200);
    expect((await gw.call(key)).status).toBe(200);
    // The companion's own reads (through the same KEYS) are not counted: only the keyed request's.
    expect((await gw.admin('/tag/info', { names: ['docs'] })).status).toBe(200);
    keys.calls.length = 0;
    expect((await gw.call(key)).status).toBe(200);
    expect(keys.blocking()).toEqual([]);
    await gw.admin('/key/update', { key, metadata: { note: 'changed' } });
    keys.calls.length = 0;
    expect((await gw.call(key)).status).toBe(200);
    expect(keys.blocking()).toEqual(['lookup']);
  });

  it('none in steady state for a key with limits: exact admits only until this isolate holds leases', async () => {
    const now = manualClock();
    const keys = countingKeys();
    const gw = keyGateway({ now }, '', keys.env);
    await gw.admin('/team/new', { team_id: 'limited', rpm_limit: 1000, max_budget: 100, max_parallel_requests: 50 });
    const { key } = await gw.generate({ team_id: 'limited', rpm_limit: 100, tpm_limit: 100_000, max_budget: 10, max_parallel_requests: 20 });
    keys.calls.length = 0;
    for (let i = 0; i < 20; i++) {
      expect((await gw.call(key)).status).toBe(200);
      now.advance(50);
    }
    // the first request reads the key and its team; it and the next are admitted exactly (the second asks
    // for leases); the 18 others spend from the leases, booked in the background
    expect(keys.blocking()).toEqual(['lookup', 'lookup', 'admit', 'admit', 'admit', 'admit']);
    expect(keys.calls.filter((m) => m === 'settle').length).toBeGreaterThan(0);
  });

  it('steady state: at most 1/20 of a call a request to the key\'s object and to the team\'s, batches and lease renewals together', { timeout: 60_000 }, async () => {
    const now = manualClock();
    const keys = countingKeys();
    const gw = keyGateway({ now }, '', keys.env);
    await gw.admin('/team/new', { team_id: 'busy', rpm_limit: 100_000, max_budget: 1000, max_parallel_requests: 500 });
    const { key } = await gw.generate({ team_id: 'busy', rpm_limit: 100_000, tpm_limit: 100_000_000, max_budget: 1000, max_parallel_requests: 500 });
    // Streams: a test's call returns without waiting for the request's background work, as a client would.
    const call = async () => {
      const r = await gw.call(key, undefined, { stream: true });
      expect(r.status).toBe(200);
      await r.text();
      now.advance(5);
    };
    // Two clients, each sending one request after another.
    const clients = async (n: number) => Promise.all([0, 1].map(async () => { for (let i = 0; i < n / 2; i++) await call(); }));
    // Warm: this isolate holds leases on both objects. Then 200 requests.
    await clients(20);
    await gw.settle();
    keys.byObject.clear();
    keys.calls.length = 0;
    await clients(200);
    await gw.settle();
    expect(keys.blocking()).toEqual([]);
    const perObject = [...keys.byObject.entries()].filter(([name]) => !name.endsWith('keys'));
    expect(perObject.length).toBe(2);
    for (const [name, n] of perObject) expect(n, name).toBeLessThanOrEqual(200 / 20);
  });
});
