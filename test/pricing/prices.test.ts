// The price table (public/prices.json, generated from LiteLLM's): costs and context windows where model_info says
// nothing, for x-litellm-response-cost, cost-based routing and the context pre-check; model_info always wins.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { knownModelInfo } from '../../src/pricing';
import { loadTables } from '../../src/assets/tables';
import { PRICES } from '../../src/pricing/table';
import { testGateway, user } from '../helpers/gateway';

describe('known prices', () => {
  // A gateway reads the table before its first request; a direct lookup reads it first itself.
  beforeAll(() => loadTables(env.ASSETS, [PRICES]));

  it('finds a model by its full name, without its prefix, or by base_model', () => {
    expect(knownModelInfo('openai/gpt-4o', undefined)).toEqual({ input_cost_per_token: 2.5e-6, output_cost_per_token: 10e-6, max_input_tokens: 128000, cache_read_input_token_cost: 1.25e-6 });
    expect(knownModelInfo('gpt-4o-mini', undefined).input_cost_per_token).toBeCloseTo(0.15e-6, 15);
    expect(knownModelInfo('gemini/gemini-2.0-flash', undefined).max_input_tokens).toBe(1048576);
    expect(knownModelInfo('gemini/gemini-2.0-flash', undefined).input_cost_per_token).toBeCloseTo(0.1e-6, 15);
    expect(knownModelInfo('vertex_ai/gemini-2.0-flash', undefined).output_cost_per_token).toBeCloseTo(0.4e-6, 15);
    expect(knownModelInfo('vertex_ai/claude-sonnet-4@20250514', undefined)).toMatchObject({ input_cost_per_token: 3e-6, output_cost_per_token: 15e-6 });
    expect(knownModelInfo('azure/my-prod-deployment', { base_model: 'gpt-4o' })).toMatchObject({ input_cost_per_token: 2.5e-6 });
    expect(knownModelInfo('azure/my-prod-deployment', undefined)).toEqual({});
    expect(knownModelInfo('hosted_vllm/my-own-llama', undefined)).toEqual({});
  });

  it('prices an answer in x-litellm-response-cost with no model_info', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: m, litellm_params: { model: openai/gpt-4o, api_key: sk-test-123456, api_base: "https://openai.test/v1" } }
`);
    const res = await gw.chat({ model: 'm', messages: user() });
    // The fake upstream reports 10 prompt and 5 completion tokens: 10 x 2.5e-6 + 5 x 10e-6.
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(7.5e-5, 12);
  });

  it("model_info's costs win over the table", async () => {
    const gw = testGateway(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_key: sk-test-123456, api_base: "https://openai.test/v1" }
    model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 }
`);
    const res = await gw.chat({ model: 'm', messages: user() });
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(0.02, 12);
  });

  it('cost-based routing prefers the cheaper known model', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: m, litellm_params: { model: openai/gpt-4, api_key: sk-test-123456, api_base: "https://a.test/v1" } }
  - { model_name: m, litellm_params: { model: openai/gpt-4o-mini, api_key: sk-test-123456, api_base: "https://b.test/v1" } }
router_settings: { routing_strategy: cost-based-routing }
`);
    for (let i = 0; i < 3; i++) await gw.chat({ model: 'm', messages: user() });
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['b.test', 'b.test', 'b.test']);
  });

  it("the context pre-check knows a model's window: a prompt over gpt-4's 8192 tokens goes to the context-window fallback unsent", async () => {
    const gw = testGateway(`
model_list:
  - { model_name: small, litellm_params: { model: openai/gpt-4, api_key: sk-test-123456, api_base: "https://a.test/v1" } }
  - { model_name: big, litellm_params: { model: openai/gpt-4o, api_key: sk-test-123456, api_base: "https://b.test/v1" } }
router_settings: { context_window_fallbacks: [{ small: [big] }] }
`);
    const res = await gw.chat({ model: 'small', messages: user('word '.repeat(10_000)) });
    expect(res.status).toBe(200);
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['b.test']);
  });
});
