// What virtual keys cost on the request path, in KeyStore calls: nothing for the master key (so nothing for
// a config that never made a key), nothing in steady state for a key without limits (its record is cached),
// one `admit` per request for a key with limits.
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

  it('exactly one admit per request for a key with limits', async () => {
    const now = manualClock();
    const keys = countingKeys();
    const gw = keyGateway({ now }, '', keys.env);
    const { key } = await gw.generate({ rpm_limit: 100 });
    keys.calls.length = 0;
    for (let i = 0; i < 5; i++) expect((await gw.call(key)).status).toBe(200);
    // the first request of the isolate also reads the key once
    expect(keys.blocking()).toEqual(['lookup', 'admit', 'admit', 'admit', 'admit', 'admit']);
  });
});
