// Finding 4 of issue 17: bad input stops at the door with a 400 naming the parameter, never reaching the upstream.
import { describe, expect, it } from 'vitest';
import { chatCompletion } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-test-secret-123456
      api_base: https://upstream.test/v1
  - model_name: embed
    litellm_params:
      model: openai/text-embedding-3-small
      api_key: sk-test-secret-123456
      api_base: https://upstream.test/v1
  - model_name: fake
    litellm_params:
      model: mock/fake
`;

const ok = () => {
  const gw = testGateway(CONFIG);
  gw.upstream.on('/chat/completions', { json: chatCompletion('hi', 'gpt-4o') });
  gw.upstream.on('/embeddings', { json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1] }], model: 'x', usage: { prompt_tokens: 1, total_tokens: 1 } } });
  return gw;
};

async function refused(gw: ReturnType<typeof ok>, res: Response, status = 400) {
  expect(res.status).toBe(status);
  const body = await res.json<any>();
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.type).toBe('invalid_request_error');
  expect(gw.upstream.calls).toHaveLength(0);
  return body.error as { message: string; param: string | null; code: string };
}

describe('chat body schema: each parameter with the type and range OpenAI documents', () => {
  // [what is sent, the param the 400 names]: every kind the 795 accepted bodies had, and each range.
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    [{ messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text'],
    [{ messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, 'messages[0].content[0].type'],
    [{ messages: [{ role: 'user', content: [] }] }, 'messages[0].content'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f' } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
    [{ stop: 5 }, 'stop'],
    [{ stop: ['a', 3] }, 'stop[1]'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ tools: 'search' }, 'tools'],
    [{ tools: [{ type: 'function', function: { name: 'bad name!' } }] }, 'tools[0].function.name'],
    [{ tool_choice: 'sometimes' }, 'tool_choice'],
    [{ tool_choice: { type: 'function' } }, 'tool_choice.function'],
    [{ response_format: 'json' }, 'response_format'],
    [{ response_format: { type: 'yaml' } }, 'response_format.type'],
    [{ stream_options: true }, 'stream_options'],
    [{ stream_options: { include_usage: 'yes' } }, 'stream_options.include_usage'],
    [{ logit_bias: [1, 2] }, 'logit_bias'],
    [{ logit_bias: { '50256': 101 } }, 'logit_bias.50256'],
    [{ seed: 'abc' }, 'seed'],
    [{ seed: 1.5 }, 'seed'],
    [{ metadata: { a: 1 } }, 'metadata.a'],
    [{ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    [{ user: { id: 1 } }, 'user'],
    [{ n: 1000 }, 'n'],
    [{ n: 0 }, 'n'],
    [{ max_tokens: 1e308 }, 'max_tokens'],
    [{ max_tokens: 0 }, 'max_tokens'],
    [{ max_completion_tokens: -1 }, 'max_completion_tokens'],
    [{ temperature: 2.5 }, 'temperature'],
    [{ top_p: 1.1 }, 'top_p'],
    [{ presence_penalty: -3 }, 'presence_penalty'],
    [{ frequency_penalty: 2.01 }, 'frequency_penalty'],
    [{ top_logprobs: 21 }, 'top_logprobs'],
    [{ logprobs: 1 }, 'logprobs'],
    [{ stream: 'true' }, 'stream'],
    [{ service_tier: 'gold' }, 'service_tier'],
    [{ modalities: ['video'] }, 'modalities[0]'],
    [{ parallel_tool_calls: 'no' }, 'parallel_tool_calls'],
    // the gateway's own controls, capped
    [{ num_retries: 1e308 }, 'num_retries'],
    [{ num_retries: 11 }, 'num_retries'],
    [{ fallbacks: Array.from({ length: 11 }, (_, i) => `g${i}`) }, 'fallbacks'],
    [{ fallbacks: [''] }, 'fallbacks[0]'],
    [{ mock_response_latency_ms: 1e9 }, 'mock_response_latency_ms'],
  ];
  for (const [extra, param] of cases) {
    it(`${JSON.stringify(extra).slice(0, 90)} -> 400 naming ${param}`, async () => {
      const gw = ok();
      const err = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: user(), ...extra }));
      expect(err.param).toBe(param);
      expect(err.message).toContain(param);
    });
  }

  it("says what was expected in OpenAI's words", async () => {
    const gw = ok();
    const stop = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: user(), stop: 5 }));
    expect(stop).toMatchObject({ code: 'invalid_type', message: "Invalid type for 'stop': expected a string or an array of up to 4 strings, but got an integer instead." });
    const n = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: user(), n: 1000 }));
    expect(n).toMatchObject({ code: 'integer_above_max_value', message: "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 1000 instead." });
    const huge = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: user(), max_tokens: 1e308 }));
    expect(huge).toMatchObject({ code: 'integer_above_max_value', message: "Invalid 'max_tokens': integer above maximum value. Expected a value <= 9007199254740991, but got 1e+308 instead." });
    const decimal = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: user(), n: 1.5 }));
    expect(decimal).toMatchObject({ code: 'invalid_type', message: "Invalid type for 'n': expected an integer, but got a decimal 1.5 instead." });
    const role = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }));
    expect(role).toMatchObject({ param: 'messages[0].role', code: 'invalid_value' });
    expect(role.message).toContain('"wizard"');
    const missing = await refused(gw, await gw.chat({ messages: user() }));
    expect(missing).toMatchObject({ param: 'model', code: 'missing_required_parameter', message: "Missing required parameter: 'model'." });
    const body = await refused(gw, await gw.request('/v1/chat/completions', { method: 'POST', json: [1, 2] }));
    expect(body).toMatchObject({ param: null, code: 'invalid_type' });
  });

  it('keeps refusing unknown parameters by name, as OpenAI does', async () => {
    const gw = ok();
    const err = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: user(), frobnicate: 1 }));
    expect(err).toMatchObject({ param: 'frobnicate', code: 'unknown_parameter', message: 'Unrecognized request argument supplied: frobnicate' });
  });

  it('passes a body using every parameter well upstream, as sent, controls left out', async () => {
    const gw = ok();
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'be brief' }] },
        { role: 'user', content: [{ type: 'text', text: 'look', cache_control: { type: 'ephemeral' } }, { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
      stop: ['\n'],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      stream_options: null,
      logit_bias: { '50256': -100 },
      seed: -42,
      metadata: { team: 'a' },
      user: 'u1',
      n: 128,
      max_tokens: 100,
      temperature: 2,
      top_p: 0,
      presence_penalty: -2,
      frequency_penalty: 2,
      logprobs: true,
      top_logprobs: 20,
      num_retries: 10,
      fallbacks: [],
    };
    const res = await gw.chat(body);
    expect(res.status).toBe(200);
    const { num_retries, fallbacks, ...upstream } = body;
    expect(gw.upstream.calls[0].body).toEqual(upstream);
  });
});

describe('JSON Schema keys that name object internals', () => {
  it('reach the upstream as sent (a tool parameter called constructor, prototype or __proto__)', async () => {
    const gw = ok();
    const parameters = JSON.parse('{"type":"object","properties":{"constructor":{"type":"string"},"prototype":{"type":"integer"},"__proto__":{"type":"boolean"}}}');
    const res = await gw.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f', parameters } }] });
    expect(res.status, await res.clone().text()).toBe(200);
    const sent = gw.upstream.calls[0].body as { tools: Array<{ function: { parameters: { properties: object } } }> };
    expect(Object.keys(sent.tools[0].function.parameters.properties)).toEqual(['constructor', 'prototype', '__proto__']);
  });
});

describe('embeddings body schema', () => {
  for (const [extra, param] of [
    [{ input: 5 }, 'input'],
    [{ input: [] }, 'input'],
    [{ input: [[1, 2], 'x'] }, 'input[0]'],
    [{ encoding_format: 'hex' }, 'encoding_format'],
    [{ dimensions: 0 }, 'dimensions'],
    [{ input: 'x', user: 3 }, 'user'],
  ] as const) {
    it(`${JSON.stringify(extra)} -> 400 naming ${param}`, async () => {
      const gw = ok();
      const res = await gw.request('/v1/embeddings', { method: 'POST', json: { model: 'embed', ...{ input: 'hello' }, ...extra } });
      expect((await refused(gw, res)).param).toBe(param);
    });
  }

  it('takes a string, strings, token ids and arrays of token ids', async () => {
    const gw = ok();
    for (const input of ['a', ['a', 'b'], [1, 2], [[1], [2, 3]]]) {
      expect((await gw.request('/v1/embeddings', { method: 'POST', json: { model: 'embed', input } })).status).toBe(200);
    }
  });
});

describe('mock_response only where the group is served by mock/ deployments', () => {
  it('answers from a mock group, and refuses it for a real one without calling it', async () => {
    const gw = ok();
    const mock = await gw.chat({ model: 'fake', messages: user(), mock_response: 'made up' });
    expect((await mock.json<any>()).choices[0].message.content).toBe('made up');
    const err = await refused(gw, await gw.chat({ model: 'gpt-4o', messages: user(), mock_response: 'made up' }));
    expect(err).toMatchObject({ param: 'mock_response', code: 'invalid_value' });
  });
});

describe('body size and nesting depth', () => {
  it('refuses a body over 10 MiB with a 413, by Content-Length and by the bytes read', async () => {
    const gw = ok();
    const big = JSON.stringify({ model: 'gpt-4o', messages: user('x'.repeat(10 * 1024 * 1024 + 1)) });
    const declared = await gw.request('/v1/chat/completions', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
    const err = await refused(gw, declared, 413);
    expect(err).toMatchObject({ code: 'request_too_large' });
    expect(err.message).toContain('10 MiB');
    // chunked, no Content-Length: counted as it is read
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += 1 << 20) c.enqueue(bytes.slice(i, i + (1 << 20)));
        c.close();
      },
    });
    const chunked = await gw.request('/v1/chat/completions', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    await refused(gw, chunked, 413);
  });

  it('refuses content nested 10,000 arrays deep cheaply, with a 400', async () => {
    const gw = ok();
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const started = Date.now();
    const res = await gw.request('/v1/chat/completions', {
      method: 'POST',
      body: `{"model":"gpt-4o","messages":[{"role":"user","content":${deep}}]}`,
      headers: { 'content-type': 'application/json' },
    });
    const err = await refused(gw, res);
    expect(err.code).toBe('invalid_json');
    expect(err.message).toContain('at most 64');
    expect(Date.now() - started).toBeLessThan(1000);
    // brackets inside strings are text, not nesting
    const fine = await gw.chat({ model: 'gpt-4o', messages: user('['.repeat(10_000)) });
    expect(fine.status).toBe(200);
  });
});
