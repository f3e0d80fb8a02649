// drop_params through the HTTP API: a parameter a deployment's provider does not take is refused by name,
// or dropped when drop_params is true (router_settings or litellm_settings).
import { describe, expect, it } from 'vitest';
import { testGateway, user } from '../helpers/gateway';

const models = `
model_list:
  - { model_name: claude, litellm_params: { model: anthropic/claude-x, api_key: k-1, api_base: https://anthropic.test } }
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: k-2, api_base: https://openai.test/v1 } }
`;

const extras = { presence_penalty: 0.5, frequency_penalty: 0.1, seed: 7, n: 1, logprobs: true, reasoning_effort: 'low' };

describe('drop_params', () => {
  it('is off by default: an unsupported parameter is a 400 naming it, and nothing is sent', async () => {
    const gw = testGateway(models);
    for (const [param, value] of Object.entries(extras)) {
      const res = await gw.chat({ model: 'claude', messages: user(), [param]: value });
      expect(res.status).toBe(400);
      const err = (await res.json<any>()).error;
      expect(err).toMatchObject({ param, code: 'unsupported_parameter', type: 'invalid_request_error' });
      expect(err.message).toContain('drop_params');
    }
    expect(gw.upstream.calls).toHaveLength(0);
  });

  for (const settings of ['router_settings', 'litellm_settings']) {
    it(`${settings}.drop_params: true drops what Anthropic does not take and keeps what it does`, async () => {
      const gw = testGateway(`${models}${settings}:\n  drop_params: true\n`);
      const res = await gw.chat({ model: 'claude', messages: user(), temperature: 0.2, max_tokens: 50, ...extras });
      expect(res.status).toBe(200);
      expect(gw.upstream.calls[0].body).toEqual({ model: 'claude-x', messages: user(), temperature: 0.2, max_tokens: 50 });
    });
  }

  it('leaves an OpenAI deployment every OpenAI parameter, drop_params or not', async () => {
    const gw = testGateway(`${models}litellm_settings:\n  drop_params: true\n`);
    const res = await gw.chat({ model: 'gpt', messages: user(), ...extras });
    expect(res.status).toBe(200);
    expect(gw.upstream.calls[0].body).toEqual({ model: 'gpt-4o', messages: user(), ...extras });
  });
});
