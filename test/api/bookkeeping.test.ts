// Messages and Responses calls go through the same machinery as chat: callbacks hear them under their call type
// with usage in chat's terms, the cache answers repeats, rpm limits and x-litellm-* headers hold.
import { describe, expect, it } from 'vitest';
import type { RequestLog } from '../../src/observability/events';
import { textMessage, textStream } from '../fixtures/anthropic';
import { textResponse } from '../fixtures/responses';
import { chatCompletion } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';

const config = (extra = '') => `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { id: oa-1, input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-123456, api_base: https://anthropic.test, rpm: 1 }, model_info: { id: an-1 } }
router_settings: { num_retries: 0 }
${extra}
`;

function spied(extra = '') {
  const logs: RequestLog[] = [];
  const gw = testGateway(config(extra), { callbacks: [{ name: 'spy', onSuccess: (l) => void logs.push({ ...l }), onFailure: (l) => void logs.push({ ...l }) }] });
  return { gw, logs };
}

const messages = (model: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('callbacks and headers', () => {
  it('a passed-through Messages call is logged as call "messages", with Anthropic usage in chat terms', async () => {
    const { gw, logs } = spied();
    gw.upstream.on('anthropic.test', { json: textMessage });
    const res = await gw.request('/v1/messages', { method: 'POST', json: messages('claude') });
    expect(res.headers.get('x-litellm-model-id')).toBe('an-1');
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('0');
    await gw.settle();
    expect(logs).toEqual([expect.objectContaining({ call: 'messages', ok: true, group: 'claude', deploymentId: 'an-1', provider: 'anthropic' })]);
    expect(logs[0].usage).toMatchObject({ prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598 });
  });

  it('a passed-through Messages stream books its usage when it ends', async () => {
    const { gw, logs } = spied();
    gw.upstream.on('anthropic.test', { stream: textStream, noDone: true });
    const res = await gw.request('/v1/messages', { method: 'POST', json: messages('claude', { stream: true }) });
    await res.text();
    await gw.settle();
    expect(logs).toEqual([expect.objectContaining({ call: 'messages', ok: true, stream: true })]);
    expect(logs[0].usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15 });
  });

  it("translated Messages and Responses calls are logged under their call types, a Messages one with its cost", async () => {
    const { gw, logs } = spied();
    gw.upstream.on('openai.test', { json: chatCompletion('ok', 'gpt-4o', { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }) });
    const res = await gw.request('/v1/messages', { method: 'POST', json: messages('gpt') });
    expect(res.headers.get('x-litellm-response-cost')).toBe(String(10 * 0.001 + 5 * 0.002));
    const r2 = await gw.request('/v1/responses', { method: 'POST', json: { model: 'claude', input: 'hi' } });
    expect(r2.status).toBe(200);
    await gw.settle();
    expect(logs.map((l) => [l.call, l.group, l.ok])).toEqual([
      ['messages', 'gpt', true],
      ['responses', 'claude', true],
    ]);
  });
});

describe('routing state and cache', () => {
  it('an rpm limit counts Messages and Responses calls alike: the second in a minute is a 429 in each API shape', async () => {
    const { gw } = spied();
    gw.upstream.on('anthropic.test', { json: textMessage });
    expect((await gw.request('/v1/messages', { method: 'POST', json: messages('claude') })).status).toBe(200);
    const limited = await gw.request('/v1/messages', { method: 'POST', json: messages('claude') });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const viaResponses = await gw.request('/v1/responses', { method: 'POST', json: { model: 'claude', input: 'hi' } });
    expect(viaResponses.status).toBe(429);
    expect(await viaResponses.json()).toMatchObject({ error: { type: 'rate_limit_error' } });
    expect(gw.upstream.calls).toHaveLength(1);
  });

  it('the cache answers a repeated non-stream request of each API from KV, per call type', async () => {
    const { gw, logs } = spied(`litellm_settings: { cache: true, cache_params: { namespace: "t-${crypto.randomUUID()}" } }`);
    gw.upstream.on('openai.test/v1/responses', { json: textResponse });
    gw.upstream.on('openai.test', { json: chatCompletion('from chat') });
    const ask = () => gw.request('/v1/messages', { method: 'POST', json: messages('gpt') });
    const first = await ask();
    const second = await ask();
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('x-litellm-cache-key')).toBeTruthy();
    const r1 = await gw.request('/v1/responses', { method: 'POST', json: { model: 'gpt', input: 'hi' } });
    const r2 = await gw.request('/v1/responses', { method: 'POST', json: { model: 'gpt', input: 'hi' } });
    expect(await r2.json()).toEqual(await r1.json());
    expect(gw.upstream.calls.map((c) => new URL(c.url).pathname)).toEqual(['/v1/chat/completions', '/v1/responses']);
    await gw.settle();
    expect(logs.map((l) => [l.call, l.cacheHit])).toEqual([
      ['messages', false],
      ['messages', true],
      ['responses', false],
      ['responses', true],
    ]);
    expect(logs[3].usage).toMatchObject({ prompt_tokens: 36, completion_tokens: 87 });
  });
});

describe('the README examples against the shipped mock deployments', () => {
  const MOCK = `
model_list:
  - { model_name: gpt-4o, litellm_params: { model: mock/gpt-4o, mock_response: "Hello from the mock." } }
`;

  it('Messages and Responses, streamed and not, answer through the mock provider (translated)', async () => {
    const gw = testGateway(MOCK);
    const msg = await gw.request('/v1/messages', { method: 'POST', json: { model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] } });
    expect(await msg.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hello from the mock.' }], stop_reason: 'end_turn' });
    const streamed = await gw.request('/v1/messages', { method: 'POST', json: { model: 'gpt-4o', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hello' }] } });
    const text = await streamed.text();
    expect(text).toContain('event: message_stop');
    expect(text).toMatch(/"usage":\{"input_tokens":\d+,"output_tokens":[1-9]/);
    const res = await gw.request('/v1/responses', { method: 'POST', json: { model: 'gpt-4o', input: 'Hello' } });
    expect(await res.json()).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hello from the mock.' }] }] });
    const rs = await gw.request('/v1/responses', { method: 'POST', json: { model: 'gpt-4o', input: 'Hello', stream: true } });
    expect(await rs.text()).toContain('event: response.completed');
  });
});
