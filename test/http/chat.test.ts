import { describe, expect, it } from 'vitest';
import { chatCompletion, streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';

const OPENAI = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-test-secret-123456
      api_base: https://upstream.test/v1
    model_info:
      id: oa-1
      input_cost_per_token: 0.001
      output_cost_per_token: 0.002
`;

describe('POST /v1/chat/completions', () => {
  it('sends the OpenAI wire format upstream and returns the answer with LiteLLM headers', async () => {
    const gw = testGateway(OPENAI);
    gw.upstream.on('/chat/completions', { json: chatCompletion('hi there', 'gpt-4o') });
    const res = await gw.chat({ model: 'gpt-4o', messages: user(), temperature: 0.5 });
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.choices[0].message.content).toBe('hi there');
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://upstream.test/v1/chat/completions');
    expect(call.headers.authorization).toBe('Bearer sk-test-secret-123456');
    expect(call.body).toEqual({ model: 'gpt-4o', messages: user(), temperature: 0.5 });
    expect(res.headers.get('x-litellm-model-id')).toBe('oa-1');
    expect(res.headers.get('x-litellm-model-group')).toBe('gpt-4o');
    expect(res.headers.get('x-litellm-model-api-base')).toBe('https://upstream.test/v1');
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('0');
    // 10 prompt tokens x 0.001 + 5 completion x 0.002
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(0.02);
  });

  it('also answers on /chat/completions without the /v1 prefix', async () => {
    const gw = testGateway(OPENAI);
    const res = await gw.request('/chat/completions', { method: 'POST', json: { model: 'gpt-4o', messages: user() } });
    expect(res.status).toBe(200);
  });

  it('streams upstream events through as they come, ending with [DONE]', async () => {
    const gw = testGateway(OPENAI);
    gw.upstream.on('/chat/completions', { stream: streamOf('Hel', 'lo') });
    const res = await gw.chat({ model: 'gpt-4o', messages: user(), stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-litellm-model-id')).toBe('oa-1');
    const events = await readEvents(res);
    expect(events.at(-1)).toBe('[DONE]');
    const text = events.slice(0, -1).map((e) => e.choices[0].delta.content ?? '').join('');
    expect(text).toBe('Hello');
    expect(events.every((e) => e === '[DONE]' || e.object === 'chat.completion.chunk')).toBe(true);
  });

  it("sends the client's first byte before the upstream has finished", async () => {
    const gw = testGateway(OPENAI);
    // The second event only comes after 10 s: the response must be readable long before.
    gw.upstream.on('/chat/completions', { stream: streamOf('first', 'second'), chunkDelayMs: 10_000 });
    const started = Date.now();
    const res = await gw.chat({ model: 'gpt-4o', messages: user(), stream: true });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('"role":"assistant"');
    expect(Date.now() - started).toBeLessThan(5_000);
    await reader.cancel();
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    const gw = testGateway(OPENAI);
    gw.upstream.on('/chat/completions', { stream: streamOf('a', 'b', 'c'), chunkDelayMs: 60_000 });
    const res = await gw.chat({ model: 'gpt-4o', messages: user(), stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    expect(gw.upstream.calls[0].aborted()).toBe(false);
    await reader.cancel();
    expect(gw.upstream.calls[0].aborted()).toBe(true);
  });

  it('ends a stream that breaks after bytes were sent with an error event, never [DONE]', async () => {
    const gw = testGateway(OPENAI);
    gw.upstream.on('/chat/completions', { stream: streamOf('partial'), thenError: 'reset' });
    const res = await gw.chat({ model: 'gpt-4o', messages: user(), stream: true });
    const events = await readEvents(res);
    expect(events).not.toContain('[DONE]');
    expect(events.at(-1).error.message).toMatch(/connection/i);
  });
});

describe('bad requests get OpenAI-shaped errors', () => {
  const cases: Array<[string, unknown, number, string | null]> = [
    ['no model', { messages: user() }, 400, 'model'],
    ['no messages', { model: 'gpt-4o' }, 400, 'messages'],
    ['empty messages', { model: 'gpt-4o', messages: [] }, 400, 'messages'],
    ['a bad role', { model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }, 400, 'messages[0].role'],
    ['an unknown parameter', { model: 'gpt-4o', messages: user(), frobnicate: 1 }, 400, 'frobnicate'],
    ['temperature out of range', { model: 'gpt-4o', messages: user(), temperature: 7 }, 400, 'temperature'],
    ['an unknown model', { model: 'gpt-9', messages: user() }, 404, 'model'],
  ];
  for (const [name, body, status, param] of cases) {
    it(`${name} -> ${status}`, async () => {
      const gw = testGateway(OPENAI);
      const res = await gw.chat(body as Record<string, unknown>);
      expect(res.status).toBe(status);
      const err = (await res.json<any>()).error;
      expect(Object.keys(err).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(err.param).toBe(param);
      expect(gw.upstream.calls).toHaveLength(0);
    });
  }

  it('invalid JSON -> 400', async () => {
    const gw = testGateway(OPENAI);
    const res = await gw.request('/v1/chat/completions', { method: 'POST', body: '{"model":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.code).toBe('invalid_json');
  });

  it('an unknown route -> 404 in the same shape', async () => {
    const gw = testGateway(OPENAI);
    const res = await gw.request('/v1/nope');
    expect(res.status).toBe(404);
    expect((await res.json<any>()).error.type).toBe('invalid_request_error');
  });

  it('upstream errors keep their class and never leak the provider key', async () => {
    const gw = testGateway(OPENAI);
    gw.upstream.on('/chat/completions', {
      status: 401,
      json: { error: { message: 'Incorrect API key provided: sk-test-secret-123456.', type: 'invalid_request_error', code: 'invalid_api_key' } },
    });
    const res = await gw.chat({ model: 'gpt-4o', messages: user() });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toContain('sk-test-secret-123456');
    expect(JSON.parse(text).error.type).toBe('authentication_error');
  });
});
