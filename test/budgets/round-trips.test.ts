// What tags and customers cost on the request path, in KeyStore calls. Without max_end_user_budget, only
// names the admin API made can have a budget: others cost nothing but the isolate's list of those names
// (read once, then in the background at most once per FRESH_MS), and a name made in another isolate is
// enforced within NAMES_MAX_STALE_MS. With it, every customer has a budget: its record is read once per isolate
// (and again only after MAX_STALE_MS without requests), its object made with the default budget by that read.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { NAMES_MAX_STALE_MS } from '../../src/keys/service';
import { FRESH_MS } from '../../src/keys/cache';
import { MAX_LISTED } from '../../src/keys/store-object';
import { budgetConfig, budgetGateway, CALL_COST, countingKeys, manualClock } from './helpers';

const perName = (calls: string[]) => calls.filter((c) => /^(tag|customer):/.test(c));
const listReads = (calls: string[]) => calls.filter((c) => c === 'keys budgetNames');

function isolates(n: number, litellmSettings = '') {
  const stateNamespace = `${crypto.randomUUID()}:`;
  const now = manualClock();
  const keys = countingKeys(stateNamespace);
  const config = budgetConfig('', '', litellmSettings);
  const all = Array.from({ length: n }, () => budgetGateway(config, { stateNamespace, now }, keys.env));
  return { all, now, calls: keys.calls, stateNamespace };
}

describe('tag and customer budgets on the request path', () => {
  it('none anywhere: 100 distinct users and tags cost no per-name object, one list read per isolate', async () => {
    const { all, now, calls } = isolates(2);
    for (const gw of all) {
      for (let i = 0; i < 50; i++) {
        const res = await gw.call('solo', { user: `user-${i}`, tags: [`tag-${i}`] }, { 'x-litellm-tags': `h-${i}` });
        expect(res.status).toBe(200);
        now.advance(10);
      }
    }
    expect(perName(calls)).toEqual([]);
    expect(listReads(calls)).toHaveLength(2);
    // Later reads are in the background, at most one per FRESH_MS: 4 s of traffic here.
    for (let i = 0; i < 40; i++) {
      expect((await all[0].call('solo', { user: `later-${i}` })).status).toBe(200);
      now.advance(100);
    }
    expect(perName(calls)).toEqual([]);
    expect(listReads(calls).length).toBeLessThanOrEqual(2 + 4);
  });

  it('a customer or tag made in another isolate is enforced within NAMES_MAX_STALE_MS; while traffic flows, within FRESH_MS and one request', async () => {
    const { all: [admin, busy, idle], now } = isolates(3);
    for (const gw of [busy, idle]) expect((await gw.call('solo', { user: 'c1', tags: ['t1'] })).status).toBe(200);
    expect((await admin.admin('/customer/new', { user_id: 'c1', max_budget: 0 })).status).toBe(200);
    expect((await admin.admin('/tag/new', { name: 't1', max_budget: 0 })).status).toBe(200);
    // The busy isolate: its list is used while it is refreshed, then the new names are enforced.
    now.advance(FRESH_MS);
    expect((await busy.call('solo', { user: 'c1' })).status).toBe(200);
    const customer = await busy.call('solo', { user: 'c1' });
    expect(customer.status).toBe(400);
    expect((await customer.json<any>()).error.message).toMatch(/^ExceededBudget: End User=c1 over budget/);
    expect((await busy.call('solo', { tags: ['t1'] })).status).toBe(400);
    // The idle isolate: a list older than NAMES_MAX_STALE_MS is read again before its next request goes on.
    now.advance(NAMES_MAX_STALE_MS - FRESH_MS);
    expect((await idle.call('solo', { tags: ['t1'] })).status).toBe(400);
    expect(busy.upstream.calls.length + idle.upstream.calls.length).toBe(3);
  });

  it('a blocked customer is refused in another isolate within NAMES_MAX_STALE_MS', async () => {
    const { all: [admin, other], now } = isolates(2);
    await admin.admin('/customer/new', { user_id: 'c2' });
    now.advance(NAMES_MAX_STALE_MS);
    expect((await other.call('solo', { user: 'c2' })).status).toBe(200);
    await admin.admin('/customer/block', { user_ids: ['c2'] });
    now.advance(NAMES_MAX_STALE_MS);
    expect((await other.call('solo', { user: 'c2' })).status).toBe(403);
  });

  it('max_end_user_budget: a customer first seen is read once (its object made with the default budget), then refreshed in the background', async () => {
    const { all: [gw], now, calls } = isolates(1, `  max_end_user_budget: ${2 * CALL_COST}`);
    for (let i = 0; i < 5; i++) expect((await gw.call('solo', { user: `user-${i}` })).status).toBe(200);
    // No read of the names list: one read per customer, which makes its object, and its first exact take.
    expect(calls.filter((c) => !c.endsWith(' settle'))).toEqual(Array.from({ length: 5 }, (_, i) => [`customer:user-${i} ensure`, `customer:user-${i} admit`]).flat());
    const info = await (await gw.admin('/customer/info?end_user_id=user-3')).json<any>();
    expect(info).toMatchObject({ spend: CALL_COST, litellm_budget_table: { max_budget: 2 * CALL_COST } });
    // While its requests flow, its record is refreshed in the background, at most once per FRESH_MS.
    calls.length = 0;
    for (let i = 0; i < 10; i++) {
      expect((await gw.call('solo', { user: 'user-9' })).status).toBe(i < 2 ? 200 : 400);
      now.advance(FRESH_MS / 2);
    }
    expect(calls.filter((c) => c.endsWith(' ensure')).length).toBeLessThanOrEqual(1 + 5);
  });

  it('max_end_user_budget: the default budget refuses; a budget raised elsewhere is honoured once the record is read again', async () => {
    const { all: [gw, admin], now } = isolates(2, `  max_end_user_budget: ${2 * CALL_COST}`);
    expect((await gw.call('solo', { user: 'u' })).status).toBe(200);
    expect((await gw.call('solo', { user: 'u' })).status).toBe(200);
    const res = await gw.call('solo', { user: 'u' });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toMatch(/^ExceededBudget: End User=u over budget/);
    await admin.admin('/customer/update', { user_id: 'u', max_budget: 1 });
    now.advance(60_000);
    expect((await gw.call('solo', { user: 'u' })).status).toBe(200);
    expect(gw.upstream.calls).toHaveLength(3);
  });

  it('max_end_user_budget: a blocked customer is refused at once, in the isolate that blocked it and in others', async () => {
    const { all: [gw, admin] } = isolates(2, `  max_end_user_budget: 1`);
    expect((await gw.call('solo', { user: 'b' })).status).toBe(200);
    expect((await admin.call('solo', { user: 'b' })).status).toBe(200);
    expect((await admin.admin('/customer/block', { user_ids: ['b'] })).status).toBe(200);
    for (const isolate of [admin, gw]) {
      const res = await isolate.call('solo', { user: 'b' });
      expect(res.status).toBe(403);
      expect((await res.json<any>()).error.message).toMatch(/^End User=b is blocked/);
    }
  });

  it('more than MAX_LISTED names of a kind: that kind is not listed, each of its names is read from its own object', async () => {
    const { all: [gw], calls, stateNamespace } = isolates(1);
    const index = env.KEYS!.get(env.KEYS!.idFromName(`${stateNamespace}keys`)) as any;
    for (let i = 0; i <= MAX_LISTED; i++) await index.listName('tag', `t${i}`, true);
    expect((await gw.call('solo', { tags: ['anything'], user: 'someone' })).status).toBe(200);
    // Customers are still listed (none), so `someone` costs nothing.
    expect(perName(calls)).toEqual(['tag:anything lookup']);
  });
});
