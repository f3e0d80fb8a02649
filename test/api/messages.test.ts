// The Messages API (POST /v1/messages) through the gateway, as the official Anthropic SDK sees it: passed through
// byte for byte to an Anthropic deployment, translated for an OpenAI one, with fallbacks between them.
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { errorBody, overloadedEvent, streamStart, textMessage, textStream, toolUseMessage, toolUseStream, firstText } from '../fixtures/anthropic';
import { chatCompletion, chunk, openAIError } from '../helpers/fake-upstream';
import { type TestGateway, testGateway } from '../helpers/gateway';

const MASTER = 'sk-master-1234';
const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-ant-123456, api_base: https://anthropic.test } }
  - { model_name: claude-then-gpt, litellm_params: { model: anthropic/claude-haiku-4-5, api_key: sk-ant-123456, api_base: https://anthropic.test } }
  - { model_name: gpt-then-claude, litellm_params: { model: openai/gpt-4o-mini, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: small, litellm_params: { model: openai/gpt-4o-mini, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { max_output_tokens: 16384 } }
router_settings:
  num_retries: 0
  fallbacks: [{ claude-then-gpt: [gpt] }, { gpt-then-claude: [claude] }]
  model_group_alias: { sonnet: claude }
general_settings: { master_key: ${MASTER} }
`;

function sdkFor(gw: TestGateway, opts: { apiKey?: string; authToken?: string } = { apiKey: MASTER }) {
  return new Anthropic({
    ...opts,
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async (url, init) => {
      const u = new URL(String(url));
      return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    },
  });
}

const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...chunk(null), choices: [{ index: 0, delta: d, finish_reason: finish }] });
const toolDelta = (index: number, fn: Record<string, string>, id?: string) => delta({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] });

/** OpenAI's stream of the same tool-use turn as the Anthropic fixture. */
const openAIToolStream = [
  delta({ role: 'assistant', content: '' }),
  delta({ content: 'Okay' }),
  delta({ content: ', let me check.' }),
  toolDelta(0, { name: 'get_weather', arguments: '' }, 'call_weather'),
  toolDelta(0, { arguments: '{"location": "San Francisco, CA", ' }),
  toolDelta(0, { arguments: '"unit": "fahrenheit"}' }),
  toolDelta(1, { name: 'get_time', arguments: '' }, 'call_time'),
  toolDelta(1, { arguments: '{"tz": "America/Los_Angeles"}' }),
  delta({}, 'tool_calls'),
  { ...chunk(null), choices: [], usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 } },
];

const TOOLS: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Weather at a place', input_schema: { type: 'object', properties: { location: { type: 'string' } } } },
  { name: 'get_time', input_schema: { type: 'object', properties: { tz: { type: 'string' } } } },
];

const sseNames = (text: string) => [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);

describe('POST /v1/messages to an Anthropic deployment: passed through', () => {
  it('sends the body with only the model replaced, forwards anthropic-version/beta, and answers byte for byte', async () => {
    // The upstream answers pretty-printed: bytes a parse and re-serialisation would change.
    const upstreamText = JSON.stringify(textMessage, null, 2);
    let gw: TestGateway = undefined as never;
    gw = testGateway(CONFIG, {
      fetch: async (input, init) => {
        await gw.upstream.fetch(input, init); // recorded
        return new Response(upstreamText, { headers: { 'content-type': 'application/json' } });
      },
    });
    const body = {
      model: 'sonnet',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [{ role: 'user', content: 'Hello' }],
    };
    const res = await gw.request('/v1/messages', {
      method: 'POST',
      json: body,
      headers: { 'x-api-key': MASTER, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'prompt-caching-2024-07-31' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-group')).toBe('claude');
    expect(await res.text()).toBe(upstreamText);
    const [call] = gw.upstream.callsTo('anthropic.test');
    expect(call.url).toBe('https://anthropic.test/v1/messages');
    expect(call.body).toEqual({ ...body, model: 'claude-sonnet-4-5-20250929' });
    expect(call.headers['x-api-key']).toBe('sk-ant-123456');
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    expect(call.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
  });

  it('relays a stream byte for byte, and the SDK builds its final message', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { stream: toolUseStream, noDone: true });
    const raw = await gw.request('/v1/messages', {
      method: 'POST',
      json: { model: 'claude', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS },
      headers: { authorization: `Bearer ${MASTER}` },
    });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    expect(await raw.text()).toBe(toolUseStream.join(''));

    const final = await sdkFor(gw).messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS }).finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    expect(final.content[1]).toMatchObject({ name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'fahrenheit' } });
    expect(final.usage).toMatchObject({ input_tokens: 472, output_tokens: 89 });
  });

  it('messages.create gets the upstream Message', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { json: toolUseMessage });
    const msg = await sdkFor(gw).messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS });
    expect(msg).toMatchObject(toolUseMessage);
  });
});

describe('POST /v1/messages to an OpenAI deployment: translated', () => {
  it('translates the request (system, stop_sequences, metadata, tools, tool_choice, images) and the answer', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { json: chatCompletion('Hi there', 'gpt-4o', { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 }) });
    const msg = await sdkFor(gw).messages.create({
      model: 'gpt',
      max_tokens: 256,
      system: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Answer in English.' }],
      stop_sequences: ['STOP'],
      metadata: { user_id: 'user-7' },
      tools: TOOLS,
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }],
    });
    expect(msg).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'gpt',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 20, output_tokens: 3 },
    });
    expect(msg.id).toMatch(/^msg_/);
    const [call] = gw.upstream.callsTo('openai.test');
    expect(call.url).toBe('https://openai.test/v1/chat/completions');
    expect(call.body).toEqual({
      model: 'gpt-4o',
      max_tokens: 256,
      messages: [
        { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      ],
      stop: ['STOP'],
      user: 'user-7',
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather at a place', parameters: TOOLS[0].input_schema } },
        { type: 'function', function: { name: 'get_time', parameters: TOOLS[1].input_schema } },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it('streams Anthropic events: text and tool_use blocks with input_json_delta, then message_delta and message_stop', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { stream: openAIToolStream });
    const res = await gw.request('/v1/messages', {
      method: 'POST',
      json: { model: 'gpt', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Weather and time?' }], tools: TOOLS },
      headers: { 'x-api-key': MASTER },
    });
    const text = await res.text();
    expect(sseNames(text)).toEqual([
      'message_start',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(gw.upstream.calls[0].body.stream_options).toEqual({ include_usage: true });

    const stream = sdkFor(gw).messages.stream({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'Weather and time?' }], tools: TOOLS });
    let streamed = '';
    stream.on('text', (t) => (streamed += t));
    const final = await stream.finalMessage();
    expect(streamed).toBe('Okay, let me check.');
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      { type: 'text', text: 'Okay, let me check.' },
      { type: 'tool_use', id: 'call_weather', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'fahrenheit' } },
      { type: 'tool_use', id: 'call_time', name: 'get_time', input: { tz: 'America/Los_Angeles' } },
    ]);
    expect(final.usage).toMatchObject({ input_tokens: 472, output_tokens: 89 });
  });

  it('a tool-use round trip: tool_use and tool_result blocks become tool_calls and tool messages', async () => {
    const gw = testGateway(CONFIG);
    const client = sdkFor(gw);
    gw.upstream.on('openai.test', {
      json: {
        ...chatCompletion(''),
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] } }],
      },
    }, { json: chatCompletion('It is sunny in Paris.') });
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.messages.create({ model: 'gpt', max_tokens: 100, messages, tools: TOOLS });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(use).toMatchObject({ id: 'call_1', name: 'get_weather', input: { location: 'Paris' } });
    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '22°C, sunny' }, { type: 'text', text: 'Thanks' }] });
    const second = await client.messages.create({ model: 'gpt', max_tokens: 100, messages, tools: TOOLS });
    expect(second.content).toEqual([{ type: 'text', text: 'It is sunny in Paris.' }]);
    expect(gw.upstream.calls[1].body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '22°C, sunny' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('max_tokens above a deployment’s model_info.max_output_tokens is capped to it (Claude Code asks for 32000)', async () => {
    const gw = testGateway(CONFIG);
    await sdkFor(gw).messages.stream({ model: 'small', max_tokens: 32000, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    await sdkFor(gw).messages.create({ model: 'small', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] });
    expect(gw.upstream.calls.map((c) => c.body.max_tokens)).toEqual([16384, 100]);
  });

  it('an upstream failure after the first byte ends the stream with an Anthropic error event the SDK raises', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { stream: [delta({ role: 'assistant', content: '' }), delta({ content: 'Partial' })], thenError: 'reset' });
    const err = await sdkFor(gw)
      .messages.stream({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] })
      .finalMessage()
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(String(err.message)).toMatch(/api_error|connection/i);
  });
});

describe('fallbacks between an Anthropic and an OpenAI group, mid-request', () => {
  it('Anthropic overloaded (529): the OpenAI fallback answers, translated, in Anthropic shape', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { status: 529, json: errorBody('overloaded_error', 'Overloaded') });
    gw.upstream.on('openai.test', { stream: [delta({ role: 'assistant', content: '' }), delta({ content: 'from gpt' }), delta({}, 'stop')] });
    const stream = sdkFor(gw).messages.stream({ model: 'claude-then-gpt', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'from gpt' }]);
    const { response } = await stream.withResponse();
    expect(response.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
    expect(response.headers.get('x-litellm-model-group')).toBe('gpt');
  });

  it('OpenAI failing: the Anthropic fallback answers byte for byte', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', openAIError(500, 'boom', null, 'server_error'));
    gw.upstream.on('anthropic.test', { stream: textStream, noDone: true });
    const res = await gw.request('/v1/messages', {
      method: 'POST',
      json: { model: 'gpt-then-claude', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] },
      headers: { 'x-api-key': MASTER },
    });
    expect(await res.text()).toBe(textStream.join(''));
    expect(res.headers.get('x-litellm-model-group')).toBe('claude');
  });

  it('a passed-through stream that fails after its first byte ends with Anthropic error event', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { stream: [streamStart, ...firstText, overloadedEvent], noDone: true });
    const res = await gw.request('/v1/messages', {
      method: 'POST',
      json: { model: 'claude', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] },
      headers: { 'x-api-key': MASTER },
    });
    const text = await res.text();
    expect(text.startsWith(streamStart + firstText.join(''))).toBe(true);
    expect(sseNames(text).at(-1)).toBe('error');
    expect(text).toContain('"type":"overloaded_error"');
  });
});

describe('errors on /v1/messages are Anthropic-shaped', () => {
  const post = (gw: TestGateway, body: unknown, headers: Record<string, string> = { 'x-api-key': MASTER }) =>
    gw.request('/v1/messages', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

  it.each([
    ['no key', { model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, {}, 401, 'authentication_error'],
    ['a wrong key', { model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'sk-wrong' }, 401, 'authentication_error'],
    ['an unknown model', { model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, undefined, 404, 'not_found_error'],
    ['bad JSON', '{"model":', undefined, 400, 'invalid_request_error'],
    ['no max_tokens', { model: 'claude', messages: [{ role: 'user', content: 'x' }] }, undefined, 400, 'invalid_request_error'],
  ])('%s', async (_name, body, headers, status, type) => {
    const gw = testGateway(CONFIG);
    const res = await post(gw, body, headers);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(json.type).toBe('error');
    expect(json.error.type).toBe(type);
    expect(json.error.message).not.toContain(MASTER);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('upstream 429 and 529 reach the SDK as RateLimitError and a 529 overloaded_error', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', openAIError(429, 'slow down', 'rate_limit_exceeded', 'rate_limit_error'));
    const e1 = await sdkFor(gw).messages.create({ model: 'gpt', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(e1).toBeInstanceOf(Anthropic.RateLimitError);
    expect(e1.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });

    gw.upstream.on('anthropic.test', { status: 529, json: errorBody('overloaded_error', 'Overloaded') });
    const e2 = await sdkFor(gw).messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(e2.status).toBe(529);
    expect(e2.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('a server tool sent to an OpenAI deployment is a 400 that names it', async () => {
    const gw = testGateway(CONFIG);
    const res = await post(gw, { model: 'gpt', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('web_search_20250305');
  });

  it('the Anthropic SDK authenticates with authToken (Authorization: Bearer, as Claude Code sends ANTHROPIC_AUTH_TOKEN)', async () => {
    const gw = testGateway(CONFIG);
    const msg = await sdkFor(gw, { authToken: MASTER }).messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(msg.content).toEqual(textMessage.content);
  });
});

describe('POST /v1/messages/count_tokens', () => {
  it('is exact from an Anthropic deployment (its own count_tokens, passed through)', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('count_tokens', { json: { input_tokens: 14 } });
    const count = await sdkFor(gw).messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'Hello, world' }] });
    expect(count).toEqual({ input_tokens: 14 });
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://anthropic.test/v1/messages/count_tokens');
    expect(call.body).toEqual({ model: 'claude-sonnet-4-5-20250929', messages: [{ role: 'user', content: 'Hello, world' }] });
  });

  it('falls back to the estimate when the Anthropic deployment is down; a 400 of its own reaches the client', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('count_tokens', { status: 500, json: errorBody('api_error', 'boom') }, { status: 400, json: errorBody('invalid_request_error', 'messages: bad') });
    const ask = () => gw.request('/v1/messages/count_tokens', { method: 'POST', json: { model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }, headers: { 'x-api-key': MASTER } });
    const down = await ask();
    expect(down.headers.get('x-litellm-token-count')).toBe('estimated');
    const refused = await ask();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('is an estimate, marked as such, for a group without an Anthropic deployment', async () => {
    const gw = testGateway(CONFIG);
    const res = await gw.request('/v1/messages/count_tokens', {
      method: 'POST',
      json: { model: 'gpt', messages: [{ role: 'user', content: 'Hello, world' }] },
      headers: { 'x-api-key': MASTER },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-token-count')).toBe('estimated');
    const body = (await res.json()) as { input_tokens: number; estimated: boolean };
    expect(body.estimated).toBe(true);
    expect(body.input_tokens).toBeGreaterThan(0);
    expect(gw.upstream.calls).toHaveLength(0);
  });
});
