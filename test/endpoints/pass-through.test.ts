// Provider pass-through routes (/openai/*, /anthropic/*, ...): the client's request forwarded as is with the
// gateway's key for that provider, behind the master key or a virtual key; never the client's key or base.
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { textMessage } from '../fixtures/anthropic';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';
import { keyGateway, MASTER } from '../keys/helpers';

const gateway = () => keyGateway();

describe('pass-through routes', () => {
  it('/openai/*: the body and path as sent, to the deployment\'s origin, with its key; the client\'s key never forwarded', async () => {
    const gw = gateway();
    gw.upstream.on('/v1/files', { json: { object: 'list', data: [] } });
    const res = await gw.request('/openai/v1/files?purpose=batch&key=leak', { headers: { authorization: `Bearer ${MASTER}`, 'openai-beta': 'assistants=v2', cookie: 'a=b' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'list', data: [] });
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://up.test/v1/files?purpose=batch');
    expect(call.headers.authorization).toBe('Bearer sk-provider-secret-1');
    expect(call.headers['openai-beta']).toBe('assistants=v2');
    expect(call.headers.cookie).toBeUndefined();
    expect(JSON.stringify(call.headers)).not.toContain(MASTER);
  });

  it('streams an answer back, scrubbed of the provider key, and passes upstream errors with their status', async () => {
    const gw = gateway();
    gw.upstream.on('/v1/chat/completions', openAIError(401, 'Incorrect API key provided: sk-provider-secret-1', 'invalid_api_key'));
    const res = await gw.request('/openai/v1/chat/completions', { method: 'POST', json: { model: 'gpt-4o', messages: [] }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain('Incorrect API key provided');
    expect(text).not.toContain('sk-provider-secret-1');
  });

  it('needs the master key or a virtual key; a virtual key is held to its models', async () => {
    const gw = gateway();
    expect((await gw.request('/openai/v1/models')).status).toBe(401);
    const made = await gw.generate({ models: ['cheap'] });
    const asKey = (model: string) => gw.request('/openai/v1/chat/completions', { method: 'POST', json: { model, messages: [] }, headers: { authorization: `Bearer ${made.key}` } });
    expect((await asKey('gpt-4o')).status).toBe(403);
    expect(gw.upstream.calls).toHaveLength(0);
    expect((await asKey('cheap')).status).toBe(200);
    expect(gw.upstream.calls).toHaveLength(1);
  });

  it('frees a virtual key\'s parallel slot when the call ends', async () => {
    const gw = gateway();
    const made = await gw.generate({ max_parallel_requests: 1 });
    for (let i = 0; i < 3; i++) {
      const res = await gw.request('/openai/v1/models', { headers: { authorization: `Bearer ${made.key}` } });
      expect(res.status).toBe(200);
      await res.text();
      await gw.settle();
    }
  });

  it('books the usage an answer reports as the key\'s spend, priced as the named model: JSON, and a stream\'s last count', async () => {
    const gw = gateway();
    const made = await gw.generate({});
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    gw.upstream.on('/v1/chat/completions', { json: { id: 'c', object: 'chat.completion', choices: [], usage } });
    gw.upstream.on('/v1/responses', {
      stream: [
        { type: 'response.created', response: { usage: null } },
        { type: 'response.completed', response: { usage: { input_tokens: 20, output_tokens: 10, input_tokens_details: { cached_tokens: 0 } } } },
      ],
    });
    const as = (path: string, model: string) =>
      gw.request(path, { method: 'POST', json: { model, input: 'hi', messages: [] }, headers: { authorization: `Bearer ${made.key}` } });
    await (await as('/openai/v1/chat/completions', 'gpt-4o')).text();
    await gw.settle();
    // gpt-4o's model_info: 0.00001 a prompt token, 0.00002 a completion token.
    expect((await gw.info(made.key)).info.spend).toBeCloseTo(10 * 0.00001 + 5 * 0.00002, 12);
    const streamed = await as('/openai/v1/responses', 'cheap');
    expect(await streamed.text()).toContain('response.completed');
    await gw.settle();
    expect((await gw.info(made.key)).info.spend).toBeCloseTo(0.0002 + 20 * 0.00001 + 10 * 0.00002, 12);
  });

  it('leaves /openai/deployments/* to the Azure-style routes, and refuses providers it has no key for', async () => {
    const gw = gateway();
    const az = await gw.request('/openai/deployments/x/chat/completions', { method: 'POST', json: {}, headers: { authorization: `Bearer ${MASTER}` } });
    expect(az.status).toBe(404);
    const none = await gw.request('/anthropic/v1/messages', { method: 'POST', json: {}, headers: { authorization: `Bearer ${MASTER}` } });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ error: { code: 'unknown_pass_through' } });
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('pass-through to Anthropic, Gemini and Azure', () => {
  const gw = () =>
    testGateway(`
model_list:
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-provider-123456 } }
  - { model_name: gem, litellm_params: { model: gemini/gemini-2.5-flash, api_key: AIzaSyProviderKey-0000000000000000000000 } }
  - { model_name: az, litellm_params: { model: azure/gpt4o-dep, api_key: az-provider-key-123456, api_base: https://res.openai.azure.com/ } }
general_settings: { master_key: ${MASTER} }
`);

  it('the Anthropic SDK through /anthropic: x-api-key is the gateway\'s, anthropic-version kept', async () => {
    const g = gw();
    g.upstream.on('api.anthropic.com', { json: textMessage });
    const client = new Anthropic({
      apiKey: MASTER,
      baseURL: 'http://gateway.test/anthropic',
      maxRetries: 0,
      fetch: async (url, init) => {
        const u = new URL(String(url));
        return g.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
      },
    });
    const msg = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text' });
    const [call] = g.upstream.calls;
    expect(call.url).toBe('https://api.anthropic.com/v1/messages');
    expect(call.headers['x-api-key']).toBe('sk-ant-provider-123456');
    expect(call.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('Gemini with x-goog-api-key (a ?key= of the client dropped), Azure at its api_base with api-key', async () => {
    const g = gw();
    const headers = { authorization: `Bearer ${MASTER}` };
    await g.request('/gemini/v1beta/models/gemini-2.5-flash:generateContent?key=client', { method: 'POST', json: { contents: [] }, headers });
    await g.request('/azure/openai/deployments/gpt4o-dep/chat/completions?api-version=2024-10-21', { method: 'POST', json: { messages: [] }, headers });
    expect(g.upstream.calls.map((c) => c.url)).toEqual([
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
      'https://res.openai.azure.com/openai/deployments/gpt4o-dep/chat/completions?api-version=2024-10-21',
    ]);
    expect(g.upstream.calls[0].headers['x-goog-api-key']).toBe('AIzaSyProviderKey-0000000000000000000000');
    expect(g.upstream.calls[1].headers['api-key']).toBe('az-provider-key-123456');
  });
});
