// Provider and deployment budgets: a deployment over its budget, or its provider's, is skipped as one at its
// rpm limit (the group's others serve; with none left, LiteLLM's 429), on every route, and GET /provider/budgets
// shows the spend. What the upstream receives is the truth.
import { describe, expect, it } from 'vitest';
import { textResponse } from '../fixtures/responses';
import { budgetConfig, budgetGateway, CALL_COST } from './helpers';

const models = (gw: ReturnType<typeof budgetGateway>) => gw.upstream.calls.map((c) => (c.body as { model: string }).model);

describe('provider_budget_config', () => {
  it('a provider over its budget has its deployments skipped; the group is served by the rest', async () => {
    const gw = budgetGateway(budgetConfig('  provider_budget_config: { openai: { budget_limit: 0.001, time_period: 1d } }'));
    for (let i = 0; i < 5; i++) expect((await gw.call('solo')).status).toBe(200);
    // 5 calls at $0.0002 spent openai's $0.001: its only deployment of `solo` is skipped, LiteLLM's 429.
    const res = await gw.call('solo');
    expect(res.status).toBe(429);
    expect((await res.json<any>()).error.message).toMatch(/^No deployments available - crossed budget: Exceeded budget for provider openai: 0\.001\d* >= 0\.001/);
    expect(gw.upstream.calls).toHaveLength(5);
    // gpt-4o's openai deployment is over the same budget: every call goes to groq.
    const before = gw.upstream.calls.length;
    for (let i = 0; i < 6; i++) expect((await gw.call()).headers.get('x-litellm-model-id')).toBe('groq-1');
    expect(models(gw).slice(before)).toEqual(Array(6).fill('llama'));
    const budgets = await (await gw.admin('/provider/budgets')).json<any>();
    expect(budgets.providers.openai).toMatchObject({ budget_limit: 0.001, time_period: '1d' });
    expect(budgets.providers.openai.spend).toBeCloseTo(5 * CALL_COST, 10);
    expect(Date.parse(budgets.providers.openai.budget_reset_at)).toBeGreaterThan(Date.now());
  });

  it('every route counts: embeddings, Messages, Responses and streams spend the same budget', async () => {
    const gw = budgetGateway(budgetConfig('  provider_budget_config: { openai: { budget_limit: 0.003, time_period: 1h } }'));
    gw.upstream.on('/v1/responses', { json: textResponse });
    const auth = { authorization: 'Bearer sk-master-test-0000' };
    const spend = async () => (await (await gw.admin('/provider/budgets')).json<any>()).providers.openai.spend as number;
    const spends = [await spend()];
    expect((await gw.request('/v1/messages', { method: 'POST', headers: auth, json: { model: 'solo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } })).status).toBe(200);
    spends.push(await spend());
    expect((await gw.request('/v1/responses', { method: 'POST', headers: auth, json: { model: 'solo', input: 'hi' } })).status).toBe(200);
    spends.push(await spend());
    const stream = await gw.call('solo', { stream: true, stream_options: { include_usage: true } });
    expect(stream.status).toBe(200);
    await stream.text();
    await gw.settle();
    spends.push(await spend());
    const embed = await gw.request('/v1/embeddings', { method: 'POST', headers: auth, json: { model: 'solo', input: 'hi' } });
    expect(embed.status).toBe(200);
    spends.push(await spend());
    // Each route's call added its cost.
    for (let i = 1; i < spends.length; i++) expect(spends[i]).toBeGreaterThan(spends[i - 1]);
    // Spent to the limit ($0.003), the next is refused.
    while ((await spend()) < 0.003 - 1e-12) expect((await gw.call('solo')).status).toBe(200);
    expect((await gw.call('solo')).status).toBe(429);
  });

  it('a cache hit costs nothing and is served even with the budget spent', async () => {
    const gw = budgetGateway(budgetConfig('  provider_budget_config: { openai: { budget_limit: 0.0002, time_period: 1d } }\n  cache_responses: true'));
    expect((await gw.call('solo', { messages: [{ role: 'user', content: 'same' }] })).status).toBe(200);
    const hit = await gw.call('solo', { messages: [{ role: 'user', content: 'same' }] });
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-litellm-cache-key')).toBeTruthy();
    expect(gw.upstream.calls).toHaveLength(1);
    expect((await (await gw.admin('/provider/budgets')).json<any>()).providers.openai.spend).toBeCloseTo(CALL_COST, 10);
  });
});

describe("a deployment's own max_budget", () => {
  it('stops that deployment alone, at its budget', async () => {
    const gw = budgetGateway(budgetConfig('', ', max_budget: 0.0006, budget_duration: 30d'));
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await gw.call()).headers.get('x-litellm-model-id')!);
    expect(ids.filter((id) => id === 'oai-1').length).toBe(3);
    expect(ids.filter((id) => id === 'groq-1').length).toBe(9);
    for (let i = 0; i < 4; i++) expect((await gw.call()).headers.get('x-litellm-model-id')).toBe('groq-1');
  });
});

describe('config', () => {
  it('a time_period LiteLLM would refuse, a negative budget: refused with the key path; an unknown provider warns', async () => {
    const { loadProxyConfig } = await import('../../src/config/yaml');
    const bad = loadProxyConfig(budgetConfig('  provider_budget_config: { openai: { budget_limit: -1, time_period: 1 day } }'));
    expect(bad.ok ? [] : bad.errors).toEqual([
      'router_settings.provider_budget_config.openai.budget_limit: must be at least 0, got -1',
      expect.stringMatching(/^router_settings\.provider_budget_config\.openai\.time_period: expected a duration/),
    ]);
    const dep = loadProxyConfig(budgetConfig('', ', max_budget: -0.5, budget_duration: 1q'));
    expect(dep.ok ? [] : dep.errors).toEqual([
      'model_list[0].litellm_params.max_budget: must be at least 0, got -0.5',
      expect.stringMatching(/^model_list\[0\]\.litellm_params\.budget_duration: expected a duration/),
    ]);
    const unknown = loadProxyConfig(budgetConfig('  provider_budget_config: { anthropic: { budget_limit: 1, time_period: 1mo } }'));
    expect(unknown.ok).toBe(true);
    expect(unknown.warnings).toContainEqual(expect.stringMatching(/^router_settings\.provider_budget_config\.anthropic: no deployment uses this provider/));
  });

  it('without the KEYS objects (a Router alone), a provider or deployment budget is refused, not kept per isolate', async () => {
    const { Router } = await import('../../src/router/router');
    const deployment = (extra = {}) => ({ model_name: 'm', litellm_params: { model: 'openai/gpt-4o', api_key: 'sk-x', ...extra } });
    expect(() => new Router({ model_list: [deployment({ max_budget: 1 })] })).toThrow(/max_budget: need the KEYS Durable Object binding/);
    expect(() => new Router({ model_list: [deployment()], provider_budget_config: { openai: { budget_limit: 1, time_period: '1d' } } })).toThrow(/provider_budget_config/);
    expect(() => new Router({ model_list: [deployment()] })).not.toThrow();
  });
});
