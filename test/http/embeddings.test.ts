// POST /v1/embeddings over OpenAI, Azure and mock deployments: the wire format upstream, headers, errors.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';

const KEY = 'sk-embed-secret-123456';

const CONFIG = `
model_list:
  - model_name: embed
    litellm_params: { model: openai/text-embedding-3-small, api_key: ${KEY}, api_base: https://openai.test/v1 }
    model_info: { id: oa-embed, input_cost_per_token: 0.5 }
  - model_name: azure-embed
    litellm_params: { model: azure/my-embedder, api_key: ${KEY}, api_base: https://res.openai.azure.com/, api_version: "2024-06-01" }
  - model_name: mock-embed
    litellm_params: { model: mock/embedder }
router_settings: { num_retries: 0 }
`;

const embed = (gw: ReturnType<typeof testGateway>, json: Record<string, unknown>, path = '/v1/embeddings') => gw.request(path, { method: 'POST', json });

const decode = (b64: string) => Array.from(new Float32Array(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer));

describe('POST /v1/embeddings', () => {
  it('sends the OpenAI wire format and returns the list with LiteLLM headers and cost', async () => {
    const gw = testGateway(CONFIG);
    const res = await embed(gw, { model: 'embed', input: ['a', 'b'], dimensions: 256, encoding_format: 'float', user: 'u1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] },
        { object: 'embedding', index: 1, embedding: [0.1, 0.2, 0.3] },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://openai.test/v1/embeddings');
    expect(call.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(call.body).toEqual({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 256, encoding_format: 'float', user: 'u1' });
    expect(res.headers.get('x-litellm-model-id')).toBe('oa-embed');
    expect(res.headers.get('x-litellm-model-group')).toBe('embed');
    expect(res.headers.get('x-litellm-model-api-base')).toBe('https://openai.test/v1');
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBe(2);
  });

  it('also answers on /embeddings, and serves a bare text-embedding-* model from api.openai.com', async () => {
    const gw = testGateway('model_list:\n  - { model_name: e, litellm_params: { model: text-embedding-3-large, api_key: k-1 } }\n');
    expect((await embed(gw, { model: 'e', input: 'x' }, '/embeddings')).status).toBe(200);
    expect(gw.upstream.calls[0].url).toBe('https://api.openai.com/v1/embeddings');
  });

  it('sends Azure its deployment path, api-version and api-key header', async () => {
    const gw = testGateway(CONFIG);
    expect((await embed(gw, { model: 'azure-embed', input: 'x' })).status).toBe(200);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://res.openai.azure.com/openai/deployments/my-embedder/embeddings?api-version=2024-06-01');
    expect(call.headers['api-key']).toBe(KEY);
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).toEqual({ model: 'my-embedder', input: 'x' });
  });

  it('embeds with mock/ without any network: one unit vector per input, equal inputs equal', async () => {
    const gw = testGateway(CONFIG);
    const body = await (await embed(gw, { model: 'mock-embed', input: ['same', 'other', 'same'], dimensions: 16 })).json<any>();
    expect(body.data.map((d: any) => d.index)).toEqual([0, 1, 2]);
    for (const d of body.data) {
      expect(d.embedding).toHaveLength(16);
      expect(Math.hypot(...d.embedding)).toBeCloseTo(1);
    }
    expect(body.data[0].embedding).toEqual(body.data[2].embedding);
    expect(body.data[0].embedding).not.toEqual(body.data[1].embedding);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('mock/ takes a token array as one input, and a list of token arrays as many', async () => {
    const gw = testGateway(CONFIG);
    const one = await (await embed(gw, { model: 'mock-embed', input: [1, 2, 3] })).json<any>();
    const many = await (await embed(gw, { model: 'mock-embed', input: [[1, 2], [3]] })).json<any>();
    expect([one.data.length, many.data.length]).toEqual([1, 2]);
  });

  it('mock/ answers encoding_format base64 with little-endian float32, as OpenAI does', async () => {
    const gw = testGateway(CONFIG);
    const floats = await (await embed(gw, { model: 'mock-embed', input: 'x', dimensions: 4 })).json<any>();
    const b64 = await (await embed(gw, { model: 'mock-embed', input: 'x', dimensions: 4, encoding_format: 'base64' })).json<any>();
    expect(typeof b64.data[0].embedding).toBe('string');
    const decoded = decode(b64.data[0].embedding);
    decoded.forEach((v, i) => expect(v).toBeCloseTo(floats.data[0].embedding[i], 6));
  });

  it('works with the OpenAI SDK, which asks for base64 by default', async () => {
    const gw = testGateway(CONFIG);
    const client = new OpenAI({
      apiKey: 'sk-client',
      baseURL: 'http://gateway.test/v1',
      maxRetries: 0,
      fetch: (url, init) => gw.request(new URL(String(url)).pathname, { method: init?.method, headers: init?.headers, body: init?.body as string }),
    });
    const res = await client.embeddings.create({ model: 'mock-embed', input: ['hello', 'world'], dimensions: 8 });
    expect(res.data).toHaveLength(2);
    expect(res.data[0].embedding).toHaveLength(8);
    expect(Math.hypot(...res.data[0].embedding)).toBeCloseTo(1, 5);
  });
});

describe('embedding errors', () => {
  const bad: Array<[string, Record<string, unknown>, number, string | null]> = [
    ['no input', { model: 'embed' }, 400, 'input'],
    ['an empty input list', { model: 'embed', input: [] }, 400, 'input'],
    ['no model', { input: 'x' }, 400, 'model'],
    ['an unknown parameter', { model: 'embed', input: 'x', temperature: 1 }, 400, 'temperature'],
    ['an unknown model', { model: 'nope', input: 'x' }, 404, 'model'],
  ];
  for (const [name, json, status, param] of bad) {
    it(`${name} -> ${status}, nothing sent`, async () => {
      const gw = testGateway(CONFIG);
      const res = await embed(gw, json);
      expect(res.status).toBe(status);
      expect((await res.json<any>()).error.param).toBe(param);
      expect(gw.upstream.calls).toHaveLength(0);
    });
  }

  it('keeps the upstream error class and never leaks the key', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/embeddings', openAIError(401, `Incorrect API key provided: ${KEY}`, 'invalid_api_key'));
    const res = await embed(gw, { model: 'azure-embed', input: 'x' });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toContain(KEY);
    expect(JSON.parse(text).error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
  });

  it('passes a rate limit on with its Retry-After', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/embeddings', { ...openAIError(429, 'Rate limit reached', 'rate_limit_exceeded'), headers: { 'retry-after': '3' } });
    const res = await embed(gw, { model: 'embed', input: 'x' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('an input too long for the model is a ContextWindowExceededError: context_window_fallbacks apply', async () => {
    const gw = testGateway(`${CONFIG.replace('router_settings: { num_retries: 0 }', '')}router_settings:\n  num_retries: 0\n  context_window_fallbacks: [{ embed: [mock-embed] }]\n`);
    gw.upstream.on('/embeddings', openAIError(400, "This model's maximum context length is 8192 tokens", 'context_length_exceeded'));
    const res = await embed(gw, { model: 'embed', input: 'x' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-group')).toBe('mock-embed');
  });

  it('retries a failed deployment on another one of the group', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: e, litellm_params: { model: openai/text-embedding-3-small, api_key: k-1, api_base: https://one.test/v1 } }
  - { model_name: e, litellm_params: { model: azure/emb, api_key: k-2, api_base: https://two.test } }
router_settings: { num_retries: 1 }
`);
    gw.upstream.on('/embeddings', openAIError(500, 'boom', null, 'server_error'), { json: { object: 'list', data: [], model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } } });
    const res = await embed(gw, { model: 'e', input: 'x' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('1');
  });
});
