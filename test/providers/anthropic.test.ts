// Anthropic deployments through the gateway's HTTP API: the Messages wire format upstream, OpenAI's shapes back.
import { describe, expect, it } from 'vitest';
import { errorBody, jsonToolMessage, textMessage, toolUseMessage } from '../fixtures/anthropic';
import { testGateway, user } from '../helpers/gateway';

const KEY = 'sk-ant-test-secret-123456';

const CLAUDE = `
model_list:
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5-20250929
      api_key: ${KEY}
      api_base: https://anthropic.test/
    model_info:
      id: an-1
router_settings:
  num_retries: 0
`;

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather at a place',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

describe('anthropic/ request translation', () => {
  it('posts to {api_base}/v1/messages with x-api-key and anthropic-version, never a bearer token', async () => {
    const gw = testGateway(CLAUDE);
    const res = await gw.chat({ model: 'claude', messages: user() });
    expect(res.status).toBe(200);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://anthropic.test/v1/messages');
    expect(call.headers['x-api-key']).toBe(KEY);
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).toEqual({ model: 'claude-sonnet-4-5-20250929', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4096 });
    expect(res.headers.get('x-litellm-model-api-base')).toBe('https://anthropic.test');
  });

  it('serves a bare claude-* model from https://api.anthropic.com', async () => {
    const gw = testGateway('model_list:\n  - { model_name: c, litellm_params: { model: claude-3-5-haiku-20241022, api_key: k-123 } }\n');
    expect((await gw.chat({ model: 'c', messages: user() })).status).toBe(200);
    expect(gw.upstream.calls[0].url).toBe('https://api.anthropic.com/v1/messages');
    expect(gw.upstream.calls[0].body.model).toBe('claude-3-5-haiku-20241022');
  });

  it('moves system and developer messages to `system` and maps stop, temperature, top_p, max_tokens and user', async () => {
    const gw = testGateway(CLAUDE);
    await gw.chat({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'user', content: 'Again' },
      ],
      stop: 'END',
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 100,
      user: 'user-42',
    });
    expect(gw.upstream.calls[0].body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'user', content: 'Again' },
      ],
      stop_sequences: ['END'],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 100,
      metadata: { user_id: 'user-42' },
    });
  });

  it('takes max_completion_tokens, else model_info.max_output_tokens, as max_tokens', async () => {
    const gw = testGateway(
      'model_list:\n  - { model_name: c, litellm_params: { model: anthropic/claude-x, api_key: k-1 }, model_info: { max_output_tokens: 8192 } }\n',
    );
    await gw.chat({ model: 'c', messages: user(), max_completion_tokens: 77, stop: ['a', 'b'] });
    await gw.chat({ model: 'c', messages: user() });
    expect(gw.upstream.calls.map((c) => c.body.max_tokens)).toEqual([77, 8192]);
    expect(gw.upstream.calls[0].body.stop_sequences).toEqual(['a', 'b']);
  });

  it('sends images as base64 or url sources, and PDF files as documents', async () => {
    const gw = testGateway(CLAUDE);
    await gw.chat({
      model: 'claude',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' } },
          ],
        },
      ],
    });
    expect(gw.upstream.calls[0].body.messages[0].content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' } },
    ]);
  });

  it('refuses what Anthropic cannot take with a 400 that names it, before any upstream call', async () => {
    const gw = testGateway(CLAUDE);
    const cases: Array<[unknown[], string]> = [
      [[{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }], 'messages[0].content[0].image_url'],
      [[{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }], 'messages[0].content[0].type'],
      [[{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }], 'messages[0].content[0].file'],
      [[user()[0], { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }] }], 'messages[1].tool_calls[0].function.arguments'],
      [[{ role: 'function', name: 'f', content: '1' }], 'messages[0].role'],
    ];
    for (const [messages, param] of cases) {
      const res = await gw.chat({ model: 'claude', messages });
      expect(res.status).toBe(400);
      expect((await res.json<any>()).error.param).toBe(param);
    }
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('anthropic/ tools', () => {
  it('sends tools as input_schema tools, and every tool_choice form', async () => {
    const gw = testGateway(CLAUDE);
    const choices: Array<[unknown, unknown, unknown]> = [
      ['auto', undefined, { type: 'auto' }],
      ['required', undefined, { type: 'any' }],
      ['none', undefined, { type: 'none' }],
      [{ type: 'function', function: { name: 'get_weather' } }, undefined, { type: 'tool', name: 'get_weather' }],
      [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
      ['required', false, { type: 'any', disable_parallel_tool_use: true }],
      [undefined, undefined, undefined],
    ];
    for (const [tool_choice, parallel_tool_calls] of choices) {
      const res = await gw.chat({ model: 'claude', messages: user(), tools: [WEATHER_TOOL], tool_choice, parallel_tool_calls });
      expect(res.status).toBe(200);
    }
    expect(gw.upstream.calls[0].body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'The weather at a place',
        input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
      },
    ]);
    expect(gw.upstream.calls.map((c) => c.body.tool_choice)).toEqual(choices.map((c) => c[2]));
  });

  it('sends assistant tool_calls as tool_use blocks and tool results as one user turn of tool_result blocks', async () => {
    const gw = testGateway(CLAUDE);
    await gw.chat({
      model: 'claude',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '24C' }] },
        { role: 'user', content: 'Which is warmer?' },
      ],
    });
    expect(gw.upstream.calls[0].body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '24C' }] },
          { type: 'text', text: 'Which is warmer?' },
        ],
      },
    ]);
  });

  it('answers tool_use blocks as OpenAI tool_calls with finish_reason tool_calls', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', { json: toolUseMessage });
    const body = await (await gw.chat({ model: 'claude', messages: user(), tools: [WEATHER_TOOL] })).json<any>();
    expect(body.choices).toEqual([
      {
        index: 0,
        logprobs: null,
        finish_reason: 'tool_calls',
        message: {
          role: 'assistant',
          content: "I'll check the current weather in San Francisco for you.",
          tool_calls: [
            {
              id: 'toolu_01A09q90qw90lq917835lq9',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
            },
          ],
        },
      },
    ]);
  });
});

describe('anthropic/ response_format (JSON mode, through a tool as LiteLLM does)', () => {
  const SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const jsonSchema = { type: 'json_schema', json_schema: { name: 'answer', schema: SCHEMA } };

  it('sends the schema as a tool the model must call, or any tool when it has tools of its own', async () => {
    const gw = testGateway(CLAUDE);
    await gw.chat({ model: 'claude', messages: user(), response_format: jsonSchema });
    await gw.chat({ model: 'claude', messages: user(), response_format: { type: 'json_object' } });
    await gw.chat({ model: 'claude', messages: user(), response_format: jsonSchema, tools: [WEATHER_TOOL] });
    await gw.chat({ model: 'claude', messages: user(), response_format: { type: 'text' } });
    const [schema, object, withTools, text] = gw.upstream.calls.map((c) => c.body);
    expect(schema.tools).toEqual([{ name: 'json_tool_call', description: 'Answer in this JSON schema.', input_schema: SCHEMA }]);
    expect(schema.tool_choice).toEqual({ type: 'tool', name: 'json_tool_call' });
    expect(object.tools[0].input_schema).toEqual({ type: 'object' });
    expect(withTools.tools.map((t: any) => t.name)).toEqual(['get_weather', 'json_tool_call']);
    expect(withTools.tool_choice).toEqual({ type: 'any' });
    expect(text.tools).toBeUndefined();
  });

  it("answers the JSON tool's input as the message content, finish_reason stop", async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', { json: jsonToolMessage });
    const body = await (await gw.chat({ model: 'claude', messages: user(), response_format: jsonSchema })).json<any>();
    expect(body.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: '{"city":"Paris"}' } });
    expect(body.choices[0].message.tool_calls).toBeUndefined();
  });

  it('leaves a tool_use named json_tool_call alone when no response_format was asked', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', { json: jsonToolMessage });
    const body = await (await gw.chat({ model: 'claude', messages: user() })).json<any>();
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.tool_calls[0].function.name).toBe('json_tool_call');
  });

  it('refuses a malformed response_format by name, at the door', async () => {
    const gw = testGateway(CLAUDE);
    const res = await gw.chat({ model: 'claude', messages: user(), response_format: { type: 'json_schema' } });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe('response_format.json_schema');
  });
});

describe('anthropic/ responses', () => {
  it('answers a chat.completion with usage and the x-litellm headers', async () => {
    const gw = testGateway(CLAUDE);
    const res = await gw.chat({ model: 'claude', messages: user() });
    const body = await res.json<any>();
    expect(body).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, logprobs: null, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi! My name is Claude.' } }],
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(res.headers.get('x-litellm-model-id')).toBe('an-1');
  });

  it('counts cached prompt tokens inside prompt_tokens, as OpenAI does, and written ones apart, as LiteLLM does', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', {
      json: { ...textMessage, usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 } },
    });
    const body = await (await gw.chat({ model: 'claude', messages: user() })).json<any>();
    expect(body.usage).toEqual({ prompt_tokens: 1110, completion_tokens: 5, total_tokens: 1115, prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 100 } });
  });

  it('maps stop_reason to finish_reason', async () => {
    const gw = testGateway(CLAUDE);
    const table: Array<[string, string]> = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['tool_use', 'tool_calls'],
      ['refusal', 'content_filter'],
    ];
    gw.upstream.on('/v1/messages', ...table.map(([stop_reason]) => ({ json: { ...textMessage, stop_reason } })));
    for (const [stop_reason, finish] of table) {
      const body = await (await gw.chat({ model: 'claude', messages: user() })).json<any>();
      expect([stop_reason, body.choices[0].finish_reason]).toEqual([stop_reason, finish]);
    }
  });

  it('does not serve embeddings, and says so', async () => {
    const gw = testGateway(CLAUDE);
    const res = await gw.request('/v1/embeddings', { method: 'POST', json: { model: 'claude', input: 'x' } });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toMatch(/does not serve embeddings/);
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('anthropic/ errors', () => {
  const cases: Array<[number, string, string, number, string]> = [
    [400, 'invalid_request_error', 'max_tokens: Field required', 400, 'invalid_request_error'],
    [401, 'authentication_error', `invalid x-api-key ${KEY}`, 401, 'authentication_error'],
    [403, 'permission_error', 'Your API key does not have permission', 403, 'permission_error'],
    [404, 'not_found_error', 'model: claude-nope', 404, 'invalid_request_error'],
    [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', 429, 'rate_limit_error'],
    [500, 'api_error', 'Internal server error', 500, 'api_error'],
    [529, 'overloaded_error', 'Overloaded', 503, 'api_error'],
  ];
  for (const [status, type, message, clientStatus, clientType] of cases) {
    it(`${status} ${type} -> ${clientStatus} ${clientType}, in OpenAI's shape, key scrubbed`, async () => {
      const gw = testGateway(CLAUDE);
      gw.upstream.on('/v1/messages', { status, json: errorBody(type, message), headers: status === 429 ? { 'retry-after': '7' } : {} });
      const res = await gw.chat({ model: 'claude', messages: user() });
      expect(res.status).toBe(clientStatus);
      const text = await res.text();
      expect(text).not.toContain(KEY);
      const err = JSON.parse(text).error;
      expect(Object.keys(err).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(err).toMatchObject({ type: clientType, code: type });
      expect(err.message).toContain(message.replace(KEY, '').trim());
      if (status === 429) expect(res.headers.get('retry-after')).toBe('7');
    });
  }

  it('retries an overloaded deployment (529) on another one', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: claude, litellm_params: { model: anthropic/claude-x, api_key: k-1, api_base: https://one.test } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-x, api_key: k-2, api_base: https://two.test } }
router_settings: { num_retries: 1 }
`);
    gw.upstream.on('/v1/messages', { status: 529, json: errorBody('overloaded_error', 'Overloaded') }, { json: textMessage });
    const res = await gw.chat({ model: 'claude', messages: user() });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('1');
    const [first, second] = gw.upstream.calls.map((c) => new URL(c.url).host);
    expect(first).not.toBe(second);
  });

  it('takes a too-long prompt as ContextWindowExceededError: context_window_fallbacks apply', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: claude, litellm_params: { model: anthropic/claude-x, api_key: k-1, api_base: https://small.test } }
  - { model_name: big, litellm_params: { model: mock/big, mock_response: from the big one } }
router_settings: { num_retries: 0, context_window_fallbacks: [{ claude: [big] }] }
`);
    gw.upstream.on('small.test', { status: 400, json: errorBody('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum') });
    const res = await gw.chat({ model: 'claude', messages: user() });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).choices[0].message.content).toBe('from the big one');
    expect(res.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
  });
});
