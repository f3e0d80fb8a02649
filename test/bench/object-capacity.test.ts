// What one Durable Object of each kind serves here (ARCHITECTURE.md, "Capacity"): calls a second to one
// object, each call the shape it takes in steady state, 16 callers at once for about a second. Printed for
// the capacity model; asserted only loosely (the machine is shared), so a broken object still fails.
// `npx vitest run test/bench/object-capacity.test.ts`
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AccountSync } from '../../src/keys/types';
import type { KeyStoreApi } from '../../src/keys/store-object';
import type { RouterState } from '../../src/state/durable-object';
import { keyRecord, packed } from '../helpers/records';

const SECONDS = 1;
const CALLERS = 16;

async function rate(call: (i: number) => Promise<unknown>): Promise<number> {
  let n = 0;
  const until = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, w) => {
      while (Date.now() < until) await call(w * 1_000_000 + n++);
    }),
  );
  return n / ((Date.now() - started) / 1000);
}

const key = (token: string, now: number) => keyRecord(now, { token, max_budget: 1e6, rpm_limit: 1e9, tpm_limit: 1e12, max_parallel_requests: 1e6 });

describe('what one object serves', () => {
  it('a key object, the keys index, a group object', async () => {
    const ns = env.KEYS!;
    const obj = (name: string) => ns.get(ns.idFromName(`${crypto.randomUUID()}:${name}`)) as unknown as KeyStoreApi;
    const now = Date.now();
    const account = obj('key:k');
    await account.create(key('k'.repeat(64), now), { status: 400, type: 'x', code: '400', message: 'exists' });
    const batch = (i: number): AccountSync => ({
      holder: `h${i % CALLERS}`,
      seq: i + 1,
      now: Date.now(),
      asks: [{ id: 'rate', spentR: i, spentT: i * 10, wantR: 50, wantT: 500 }, { id: 'budget', spentR: i, spentT: i * 100, wantR: 50, wantT: 5000 }, { id: 'parallel', spentR: i, spentT: 0, wantR: 5, wantT: 0, releasedR: i }],
      spent: [],
      // a 20 ms window's finished requests of one busy isolate
      settled: packed(...Array.from({ length: 20 }, () => ({ cost: 0.0001, tokens: 15, counted: { minute: Math.floor(Date.now() / 60_000), estTokens: 10, estMicros: 100, slot: true } }))),
    });
    const settle = await rate((i) => account.settle(batch(i)));
    const admit = await rate((i) => account.admit({ holder: `x${i}`, seq: 0, now: Date.now(), asks: [], spent: [], settled: [], take: { model: undefined, group: undefined, estTokens: 10, estMicros: 100 } }));
    const lookup = await rate(() => account.lookup(Date.now()));
    const index = obj('keys');
    for (let i = 0; i < 200; i++) await index.claimKey({ token: `t${i}`, key_alias: null, team_id: i % 2 ? 'a' : null, created_at: new Date(now + i).toISOString() });
    const list = await rate(() => index.listKeys({ page: 1, size: 100 }));
    const rs = env.ROUTER_STATE as DurableObjectNamespace<RouterState>;
    const group = rs.get(rs.idFromName(`${crypto.randomUUID()}:group:g`));
    const sync = await rate((i) =>
      group.sync({
        holder: `h${i % CALLERS}`,
        seq: i + 1,
        limitsHash: 'bench',
        limits: { a: { rpm: 1e9 }, b: { rpm: 1e9 } },
        now: Date.now(),
        reports: Array.from({ length: 20 }, () => ({ id: 'a', now: Date.now(), ok: true, latencyMs: 5, tokens: 15, estTokens: 10, acquired: true })),
        spent: [],
        asks: [{ id: 'a', spentR: i, spentT: 0, wantR: 50, wantT: 0 }],
        inFlight: { a: 1 },
      } as never),
    );
    const figures = { keySettleBatchesPerS: settle, keyAdmitsPerS: admit, keyLookupsPerS: lookup, indexListsPerS: list, groupSyncsPerS: sync };
    console.log(JSON.stringify({ objectCapacity: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v)])) }));
    for (const v of Object.values(figures)) expect(v).toBeGreaterThan(20);
  });
});
