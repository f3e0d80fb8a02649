// Tag and customer budgets: LiteLLM's /tag/* and /customer/* shapes (master key only), a tag or customer over
// its budget refused with LiteLLM's message and status, however the request names it, and
// litellm_settings.max_end_user_budget for customers the API never created.
import { describe, expect, it } from 'vitest';
import { budgetConfig, budgetGateway, CALL_COST } from './helpers';

describe('tag budgets', () => {
  it('/tag/new, /tag/info, /tag/update, /tag/delete in LiteLLM shapes', async () => {
    const gw = budgetGateway(budgetConfig());
    const made = await gw.admin('/tag/new', { name: 'engineering', description: 'Engineering cost center', max_budget: 0.5, budget_duration: '30d' });
    expect(made.status).toBe(200);
    expect(await made.json<any>()).toMatchObject({ name: 'engineering', description: 'Engineering cost center', max_budget: 0.5, budget_duration: '30d', spend: 0 });
    expect((await gw.admin('/tag/new', { name: 'engineering' })).status).toBe(400);
    const info = await (await gw.admin('/tag/info', { names: ['engineering', 'nope'] })).json<any>();
    expect(Object.keys(info)).toEqual(['engineering']);
    expect(Date.parse(info.engineering.budget_reset_at)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(await (await gw.admin('/tag/update', { name: 'engineering', max_budget: 0.75 })).json<any>()).toMatchObject({ max_budget: 0.75 });
    expect((await gw.admin('/tag/delete', { name: 'engineering' })).status).toBe(200);
    expect((await gw.admin('/tag/info', { names: ['engineering'] })).status).toBe(404);
    expect((await gw.admin('/tag/new', { name: 'x', max_budget: -1 })).status).toBe(400);
  });

  it('a tag over its budget is refused with LiteLLM message, by body tags, metadata.tags or x-litellm-tags', async () => {
    const gw = budgetGateway(budgetConfig());
    await gw.admin('/tag/new', { name: 'eng', max_budget: 0.0006 });
    expect((await gw.call('solo', { tags: ['eng'] })).status).toBe(200);
    expect((await gw.call('solo', { metadata: { tags: ['eng'] } })).status).toBe(200);
    expect((await gw.call('solo', {}, { 'x-litellm-tags': 'eng' })).status).toBe(200);
    for (const ask of [gw.call('solo', { tags: ['eng'] }), gw.call('solo', {}, { 'x-litellm-tags': 'other,eng' })]) {
      const res = await ask;
      expect(res.status).toBe(400);
      const { error } = await res.json<any>();
      expect(error.type).toBe('budget_exceeded');
      expect(error.message).toMatch(/^Budget has been exceeded! Tag=eng Current cost: 0\.000[56]\d*, Max budget: 0\.0006$/);
    }
    expect(gw.upstream.calls).toHaveLength(3);
    // Untagged requests, and other tags, are not this budget's.
    expect((await gw.call('solo', { tags: ['other'] })).status).toBe(200);
    const info = await (await gw.admin('/tag/info', { names: ['eng'] })).json<any>();
    expect(info.eng.spend).toBeCloseTo(3 * CALL_COST, 9);
  });

  it('count_tokens is admitted by the tag but holds none of its budget', async () => {
    const gw = budgetGateway(budgetConfig());
    // A reservation is at most one request's dearest cost (4,096 tokens out, $0.08 here): ten of them would fill it.
    await gw.admin('/tag/new', { name: 'cc', max_budget: 0.5 });
    const headers = { authorization: 'Bearer sk-master-test-0000', 'x-litellm-tags': 'cc' };
    for (let i = 0; i < 10; i++) {
      const res = await gw.request('/v1/messages/count_tokens', { method: 'POST', headers, json: { model: 'solo', messages: [{ role: 'user', content: 'hi' }] } });
      expect(res.status).toBe(200);
    }
    expect((await gw.call('solo', {}, { 'x-litellm-tags': 'cc' })).status).toBe(200);
  });

  it('the Messages API answers the refusal in its own shape', async () => {
    const gw = budgetGateway(budgetConfig());
    await gw.admin('/tag/new', { name: 'eng', max_budget: 0 });
    const res = await gw.request('/v1/messages', {
      method: 'POST',
      headers: { authorization: 'Bearer sk-master-test-0000', 'x-litellm-tags': 'eng' },
      json: { model: 'solo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status).toBe(400);
    expect(await res.json<any>()).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/^Budget has been exceeded! Tag=eng/) } });
  });
});

describe('customer budgets', () => {
  it('/customer/new, /customer/info, /customer/update, /customer/block, /customer/unblock, /customer/delete', async () => {
    const gw = budgetGateway(budgetConfig());
    const made = await (await gw.admin('/customer/new', { user_id: 'ishaan3', alias: 'Ishaan', max_budget: 1 })).json<any>();
    expect(made).toMatchObject({ user_id: 'ishaan3', alias: 'Ishaan', blocked: false, spend: 0, litellm_budget_table: { max_budget: 1 } });
    expect(await (await gw.admin('/customer/info?end_user_id=ishaan3')).json<any>()).toMatchObject({ user_id: 'ishaan3', spend: 0 });
    expect((await gw.admin('/customer/info?end_user_id=nobody')).status).toBe(404);
    expect(await (await gw.admin('/customer/update', { user_id: 'ishaan3', max_budget: 2 })).json<any>()).toMatchObject({ litellm_budget_table: { max_budget: 2 } });
    const blocked = await (await gw.admin('/customer/block', { user_ids: ['ishaan3'] })).json<any>();
    expect(blocked.blocked_users[0]).toMatchObject({ user_id: 'ishaan3', blocked: true });
    const refused = await gw.call('solo', { user: 'ishaan3' });
    expect(refused.status).toBe(403);
    expect((await refused.json<any>()).error.message).toMatch(/^End User=ishaan3 is blocked/);
    await gw.admin('/customer/unblock', { user_ids: ['ishaan3'] });
    expect((await gw.call('solo', { user: 'ishaan3' })).status).toBe(200);
    expect(await (await gw.admin('/customer/delete', { user_ids: ['ishaan3'] })).json<any>()).toEqual({ deleted_customers: ['ishaan3'] });
    expect((await gw.admin('/customer/info?end_user_id=ishaan3')).status).toBe(404);
  });

  it('a customer over budget gets LiteLLM message, named by `user` or x-litellm-customer-id', async () => {
    const gw = budgetGateway(budgetConfig());
    await gw.admin('/customer/new', { user_id: 'c1', max_budget: 2 * CALL_COST });
    expect((await gw.call('solo', { user: 'c1' })).status).toBe(200);
    expect((await gw.call('solo', {}, { 'x-litellm-customer-id': 'c1' })).status).toBe(200);
    const res = await gw.call('solo', { user: 'someone-else' }, { 'x-litellm-customer-id': 'c1' });
    expect(res.status).toBe(400);
    const { error } = await res.json<any>();
    expect(error).toMatchObject({ type: 'budget_exceeded', code: '400' });
    expect(error.message).toMatch(/^ExceededBudget: End User=c1 over budget\. Spend=0\.000[34]\d*, Budget=0\.0004$/);
    expect(gw.upstream.calls).toHaveLength(2);
    expect((await (await gw.admin('/customer/info?end_user_id=c1')).json<any>()).spend).toBeCloseTo(2 * CALL_COST, 9);
  });

  it('max_end_user_budget: a customer the API never created gets it from its first request', async () => {
    const gw = budgetGateway(budgetConfig('', '', `  max_end_user_budget: ${CALL_COST}`));
    expect((await gw.call('solo', { user: 'new-user' })).status).toBe(200);
    const res = await gw.call('solo', { user: 'new-user' });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toMatch(/^ExceededBudget: End User=new-user over budget/);
    expect(await (await gw.admin('/customer/info?end_user_id=new-user')).json<any>()).toMatchObject({ litellm_budget_table: { max_budget: CALL_COST } });
    // A customer without a budget of its own, with the default unset, is only tracked.
    const open = budgetGateway(budgetConfig());
    for (let i = 0; i < 3; i++) expect((await open.call('solo', { user: 'free' })).status).toBe(200);
  });

  it('only the master key may manage them', async () => {
    const gw = budgetGateway(budgetConfig());
    const key = await (await gw.admin('/key/generate', {})).json<any>();
    const res = await gw.request('/customer/new', { method: 'POST', json: { user_id: 'x' }, headers: { authorization: `Bearer ${key.key}` } });
    expect(res.status).toBe(401);
    expect((await gw.request('/tag/new', { method: 'POST', json: { name: 'x' } })).status).toBe(401);
  });
});
