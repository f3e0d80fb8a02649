// Prompt-cache usage priced at the cache rates: read tokens at cache_read_input_token_cost, written ones at
// cache_creation_input_token_cost (LiteLLM's price table, or the deployment's model_info), the rest at the input price.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { costOf, knownModelInfo } from '../../src/pricing';
import { loadTables } from '../../src/assets/tables';
import { PRICES } from '../../src/pricing/table';
import { textMessage } from '../fixtures/anthropic';
import { chatCompletion } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';

const cachedMessage = { ...textMessage, usage: { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 200, cache_read_input_tokens: 1000 } };
// claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million tokens.
const EXPECTED = 100 * 3e-6 + 1000 * 0.3e-6 + 200 * 3.75e-6 + 50 * 15e-6;

const config = `
model_list:
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: k, api_base: https://a.test } }
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: k, api_base: https://o.test/v1 } }
  - { model_name: own, litellm_params: { model: openai/my-model, api_key: k, api_base: https://o.test/v1 }, model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, cache_read_input_token_cost: 0.0000001 } }
`;

describe('prompt-cache rates', () => {
  // A gateway reads the table before its first request; a direct lookup reads it first itself.
  beforeAll(() => loadTables(env.ASSETS, [PRICES]));

  it('the price table knows them', () => {
    expect(knownModelInfo('anthropic/claude-sonnet-4-5', undefined)).toMatchObject({ cache_read_input_token_cost: 0.3e-6, cache_creation_input_token_cost: 3.75e-6 });
    expect(knownModelInfo('openai/gpt-4o', undefined)).toMatchObject({ cache_read_input_token_cost: 1.25e-6 });
    expect(knownModelInfo('openai/gpt-4o', undefined).cache_creation_input_token_cost).toBeUndefined();
  });

  it('without cache rates, cached tokens cost the input price (as before)', () => {
    expect(costOf({ input_cost_per_token: 1, output_cost_per_token: 2 }, { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 4 } })).toBe(12);
  });

  it('a Messages answer passed through from Anthropic: reads and writes at their rates', async () => {
    const gw = testGateway(config);
    gw.upstream.on('a.test', { json: cachedMessage });
    const res = await gw.request('/v1/messages', { method: 'POST', json: { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(EXPECTED, 12);
  });

  it('a chat answer translated from Anthropic: the same cost, and the usage says what was read and written', async () => {
    const gw = testGateway(config);
    gw.upstream.on('a.test', { json: cachedMessage });
    const res = await gw.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(EXPECTED, 12);
    expect((await res.json<any>()).usage).toEqual({
      prompt_tokens: 1300,
      completion_tokens: 50,
      total_tokens: 1350,
      prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 200 },
    });
  });

  it("OpenAI's cached_tokens at the table's cache read rate, and at a deployment's own", async () => {
    const gw = testGateway(config);
    const usage = { prompt_tokens: 2000, completion_tokens: 10, total_tokens: 2010, prompt_tokens_details: { cached_tokens: 1536 } };
    gw.upstream.on('o.test', { json: chatCompletion('ok', 'gpt-4o', usage as never) });
    const gpt = await gw.chat({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] });
    expect(Number(gpt.headers.get('x-litellm-response-cost'))).toBeCloseTo(464 * 2.5e-6 + 1536 * 1.25e-6 + 10 * 10e-6, 12);
    const own = await gw.chat({ model: 'own', messages: [{ role: 'user', content: 'hi' }] });
    expect(Number(own.headers.get('x-litellm-response-cost'))).toBeCloseTo(464 * 1e-6 + 1536 * 1e-7 + 10 * 2e-6, 12);
  });
});
