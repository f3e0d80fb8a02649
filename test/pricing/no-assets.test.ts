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

  it("refuses a guardrail that needs the guardrails' data (public/guardrails.json), never running it unchecked", async () => {
    const gw = testGateway(
      `
model_list:
  - { model_name: m, litellm_params: { model: openai/gpt-4o, api_key: sk-test-123456, api_base: "https://openai.test/v1" } }
guardrails:
  - guardrail_name: pii
    litellm_params: { guardrail: litellm_content_filter, mode: pre_call, patterns: [{ pattern_type: prebuilt, pattern_name: email, action: MASK }] }
  - guardrail_name: secrets
    litellm_params: { guardrail: hide-secrets, mode: pre_call }
  - guardrail_name: lakera
    litellm_params: { guardrail: lakera_v2, mode: pre_call, api_key: lk-test }
`,
      {},
      { ASSETS: undefined },
    );
    const res = await gw.chat({ model: 'm', messages: user() });
    expect(res.status).toBe(500);
    const { message } = ((await res.json()) as { error: { message: string } }).error;
    expect(message).toContain('guardrails[0].litellm_params.patterns[0].pattern_name: refused: public/guardrails.json is not loaded (no ASSETS binding)');
    expect(message).toContain('guardrails[1].litellm_params.guardrail: refused: public/guardrails.json is not loaded');
    // A service's keys are data in the same file: its type is refused the same way, not taken for one this gateway lacks.
    expect(message).toContain('guardrails[2].litellm_params.guardrail: refused: public/guardrails.json is not loaded (no ASSETS binding)');
  });
});
