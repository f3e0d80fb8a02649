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
  const ns = {
    idFromName: (name: string) => inner.idFromName(name),
    get(id: DurableObjectId) {
      const stub = inner.get(id) as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
      return new Proxy(stub, {
        get: (target, prop) => {
          if (prop === 'then') return undefined;
          return (...args: unknown[]) => {
            calls.push(String(prop));
            return target[prop](...args);
          };
        },
      });
    },
  };
  const blocking = () => calls.filter((m) => m === 'lookup' || m === 'admit');
  return { env: { KEYS: ns as unknown as Env['KEYS'] }, calls, blocking };
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
});
