// LiteLLM's response headers (H01, R06, RT06, E01) on successes and errors.
import { describe, expect, it } from 'vitest';
import { chatCompletion, openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const config = `
model_list:
  - { model_name: limited, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1, rpm: 10, tpm: 1000 }, model_info: { id: a } }
  - { model_name: limited, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1, rpm: 20 }, model_info: { id: b } }
  - { model_name: free, litellm_params: { model: openai/c, api_key: k, api_base: https://c.test/v1 }, model_info: { id: c } }
router_settings:
  num_retries: 0
`;

describe('LiteLLM headers', () => {
  it('H01: x-litellm-call-id echoes the request header, on successes and on errors', async () => {
    const gw = testGateway(config);
    const ok = await gw.chat({ model: 'free', messages: user() }, { 'x-litellm-call-id': 'call-123' });
    expect(ok.headers.get('x-litellm-call-id')).toBe('call-123');
    gw.upstream.on('c.test', openAIError(500, 'boom', null, 'server_error'));
    const failed = await gw.chat({ model: 'free', messages: user() }, { 'x-litellm-call-id': 'call-456' });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-litellm-call-id')).toBe('call-456');
    expect(failed.headers.get('x-litellm-response-cost')).toBe('0');
    expect(Number(failed.headers.get('x-litellm-response-duration-ms'))).toBeGreaterThanOrEqual(0);
    // a client error too, and a fresh id when none is sent
    const bad = await gw.chat({ model: 'nope', messages: user() });
    expect(bad.status).toBe(404);
    expect(bad.headers.get('x-litellm-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers.get('x-litellm-response-cost')).toBe('0');
  });

  it("H01: response duration, and the overhead: the gateway's own time, without the upstream's", async () => {
    const gw = testGateway(config);
    gw.upstream.on('c.test', { json: chatCompletion('slow'), delayMs: 300 });
    const res = await gw.chat({ model: 'free', messages: user() });
    const duration = Number(res.headers.get('x-litellm-response-duration-ms'));
    const overhead = Number(res.headers.get('x-litellm-overhead-duration-ms'));
    expect(duration).toBeGreaterThanOrEqual(300);
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(duration - 250);
  });

  it('RT06: x-ratelimit-* for a group with rpm/tpm: the summed limits and what is left this minute', async () => {
    const gw = testGateway(config, { random: () => 0 }); // both to deployment a, the one with a tpm
    const first = await gw.chat({ model: 'limited', messages: user() });
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('30');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('29');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    const second = await gw.chat({ model: 'limited', messages: user() });
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('28');
    expect(Number(second.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(1000);
    const free = await gw.chat({ model: 'free', messages: user() });
    expect(free.headers.has('x-ratelimit-limit-requests')).toBe(false);
  });
});
