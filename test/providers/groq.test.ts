// groq/<model>: an OpenAI-compatible host, one row of the catalogue (src/providers/catalogue.ts).
import { describe, expect, it } from 'vitest';
import { streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';

const GROQ = (extra = '') => `
model_list:
  - { model_name: llama, litellm_params: { model: groq/llama-3.3-70b-versatile, api_key: gsk_test_secret_123456 } }
${extra}`;

describe('groq/ provider', () => {
  it('posts the OpenAI wire format to api.groq.com with a Bearer key', async () => {
    const gw = testGateway(GROQ());
    const res = await gw.chat({ model: 'llama', messages: user(), temperature: 0.1 });
    expect(res.status).toBe(200);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://api.groq.com/openai/v1/chat/completions');
    expect(call.headers.authorization).toBe('Bearer gsk_test_secret_123456');
    expect(call.body).toEqual({ model: 'llama-3.3-70b-versatile', messages: user(), temperature: 0.1 });
    expect(res.headers.get('x-litellm-model-api-base')).toBe('https://api.groq.com/openai/v1');
  });

  it('relays streams as they are', async () => {
    const gw = testGateway(GROQ());
    gw.upstream.on('groq.com', { stream: streamOf('fast', ' answer') });
    const events = await readEvents(await gw.chat({ model: 'llama', messages: user(), stream: true }));
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.slice(0, -1).map((e) => e.choices[0].delta.content ?? '').join('')).toBe('fast answer');
  });

  it('refuses logprobs, which Groq does not take, unless drop_params drops it', async () => {
    const strict = testGateway(GROQ());
    const res = await strict.chat({ model: 'llama', messages: user(), logprobs: true });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe('logprobs');
    const lenient = testGateway(GROQ('litellm_settings: { drop_params: true }'));
    expect((await lenient.chat({ model: 'llama', messages: user(), logprobs: true, top_logprobs: 2, seed: 1 })).status).toBe(200);
    expect(lenient.upstream.calls[0].body).toEqual({ model: 'llama-3.3-70b-versatile', messages: user(), seed: 1 });
  });

  it('does not serve embeddings', async () => {
    const gw = testGateway(GROQ());
    const res = await gw.request('/v1/embeddings', { method: 'POST', json: { model: 'llama', input: 'x' } });
    expect(res.status).toBe(400);
    expect(gw.upstream.calls).toHaveLength(0);
  });
});
