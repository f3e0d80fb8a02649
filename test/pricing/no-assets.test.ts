// A gateway embedded in a Worker without the ASSETS binding has no price table: it serves, pricing only what
// model_info prices. An isolate of its own (this file), since the table is read once per isolate.
import { describe, expect, it } from 'vitest';
import { testGateway, user } from '../helpers/gateway';

describe('without the ASSETS binding', () => {
  it('answers, with costs from model_info alone', async () => {
    const gw = testGateway(
      `
model_list:
  - { model_name: table, litellm_params: { model: openai/gpt-4o, api_key: sk-test-123456, api_base: "https://openai.test/v1" } }
  - model_name: own
    litellm_params: { model: openai/gpt-4o, api_key: sk-test-123456, api_base: "https://openai.test/v1" }
    model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 }
`,
      {},
      { ASSETS: undefined },
    );
    const table = await gw.chat({ model: 'table', messages: user() });
    expect(table.status).toBe(200);
    expect(table.headers.get('x-litellm-response-cost')).toBeNull();
    const own = await gw.chat({ model: 'own', messages: user() });
    expect(Number(own.headers.get('x-litellm-response-cost'))).toBeCloseTo(0.02, 12);
  });
});
