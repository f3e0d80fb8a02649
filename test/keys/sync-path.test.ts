// The keyed request path in steady state has no await: authenticate and admit answer synchronously (not a
// Promise) while the key's records are fresh and this isolate's leases cover the request. A promise there
// costs a microtask turn per request and, under load, every keyed request's share of the event loop.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Defer } from '../../src/state/store';
import { KeyService } from '../../src/keys/service';
import { keyGateway, manualClock } from './helpers';

describe('the keyed request path without awaits', () => {
  it('authenticate and admit are synchronous once the records are read and leases held; not before', async () => {
    const now = manualClock();
    const stateNamespace = `${crypto.randomUUID()}:`;
    const gw = keyGateway({ now, stateNamespace });
    await gw.admin('/team/new', { team_id: 'sync', rpm_limit: 10_000, max_budget: 100, max_parallel_requests: 100 });
    const { key } = await gw.generate({ team_id: 'sync', rpm_limit: 10_000, tpm_limit: 10_000_000, max_budget: 10, max_parallel_requests: 100 });
    // A second isolate's service over the same objects, driven directly.
    const keys = new KeyService({ ns: env.KEYS!, namespace: stateNamespace, now, groups: () => undefined, cacheScope: 'key' });
    const work: Promise<unknown>[] = [];
    const defer: Defer = (p) => void work.push(p);
    const drain = async () => {
      while (work.length) await Promise.allSettled(work.splice(0));
    };

    // Cold: the key's hash and records must be read.
    const first = keys.authenticate(key, defer);
    expect(first).toBeInstanceOf(Promise);
    const authed = await first;
    expect(authed.entry.team?.team_id).toBe('sync');
    const warm = keys.authenticate(key, defer);
    expect(warm).not.toBeInstanceOf(Promise);

    // Admissions: exact takes until this isolate holds leases, then none awaited.
    let sync = 0;
    for (let i = 0; i < 30; i++) {
      const a = keys.admit(keys.authenticate(key, defer) as Awaited<typeof first>, 'gpt-4o', 10, defer);
      if (!(a instanceof Promise)) sync++;
      (await a).settleFrom({ cost: 0.0002, ok: true, usage: { total_tokens: 15 } } as never);
      await drain();
      now.advance(20);
    }
    expect(sync).toBeGreaterThanOrEqual(25);
  });
});
