// The Responses API (POST /v1/responses) through the gateway, as the official OpenAI SDK sees it: passed through
// byte for byte to OpenAI and Azure deployments, translated for an Anthropic one, with fallbacks between them.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { errorBody, jsonToolMessage, textMessage, toolUseMessage, toolUseStream } from '../fixtures/anthropic';
import { functionCallResponse, textResponse, textResponseStream } from '../fixtures/responses';
import { openAIError } from '../helpers/fake-upstream';
import { type TestGateway, testGateway } from '../helpers/gateway';

const MASTER = 'sk-master-1234';
const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4.1, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: az, litellm_params: { model: azure/my-gpt-4.1, api_key: az-key-123456, api_base: https://res.openai.azure.com } }
  - { model_name: az-v1, litellm_params: { model: azure/my-gpt-4.1, api_key: az-key-123456, api_base: https://res.openai.azure.com, api_version: preview } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-ant-123456, api_base: https://anthropic.test } }
  - { model_name: gpt-then-claude, litellm_params: { model: openai/gpt-4.1-mini, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: claude-then-gpt, litellm_params: { model: anthropic/claude-haiku-4-5, api_key: sk-ant-123456, api_base: https://anthropic.test } }
router_settings:
  num_retries: 0
  fallbacks: [{ gpt-then-claude: [claude] }, { claude-then-gpt: [gpt] }]
  model_group_alias: { writer: gpt }
general_settings: { master_key: ${MASTER} }
`;

function sdkFor(gw: TestGateway, apiKey = MASTER) {
  return new OpenAI({
    apiKey,
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async (url, init) => {
      const u = new URL(String(url));
      return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    },
  });
}

const post = (gw: TestGateway, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${MASTER}` }) =>
  gw.request('/v1/responses', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

const eventNames = (text: string) => [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
const dataOf = (text: string) => text.split('\n\n').filter(Boolean).map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)));

const WEATHER: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather at a place',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  strict: null,
};

describe('POST /v1/responses to OpenAI and Azure deployments: passed through', () => {
  it('sends the body with only the model replaced, and answers byte for byte', async () => {
    const upstreamText = JSON.stringify(textResponse, null, 2);
    let gw: TestGateway = undefined as never;
    gw = testGateway(CONFIG, {
      fetch: async (input, init) => {
        await gw.upstream.fetch(input, init);
        return new Response(upstreamText, { headers: { 'content-type': 'application/json' } });
      },
    });
    const body = { model: 'writer', input: 'Tell me a story', store: true, reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] };
    const res = await post(gw, body);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(upstreamText);
    expect(res.headers.get('x-litellm-model-group')).toBe('gpt');
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://openai.test/v1/responses');
    expect(call.body).toEqual({ ...body, model: 'gpt-4.1' });
    expect(call.headers.authorization).toBe('Bearer sk-oa-123456');
  });

  it('responses.create and responses.stream with the SDK; the stream relayed byte for byte', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on((url, body) => url.includes('openai.test') && !body.stream, { json: textResponse });
    gw.upstream.on((url, body) => url.includes('openai.test') && body.stream, { stream: textResponseStream, noDone: true });
    const client = sdkFor(gw);
    const created = await client.responses.create({ model: 'gpt', input: 'Tell me a story' });
    expect(created.output_text).toBe(textResponse.output[0].content[0].text);

    const raw = await post(gw, { model: 'gpt', input: 'Hi', stream: true });
    expect(await raw.text()).toBe(textResponseStream.join(''));

    const stream = client.responses.stream({ model: 'gpt', input: 'Hi' });
    let text = '';
    stream.on('response.output_text.delta', (e) => (text += e.delta));
    const final = await stream.finalResponse();
    expect(text).toBe('Hi there!');
    expect(final.output_text).toBe('Hi there!');
    expect(final.usage?.total_tokens).toBe(123);
  });

  it('previous_response_id passes through to OpenAI, which holds the conversation', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { json: textResponse });
    await sdkFor(gw).responses.create({ model: 'gpt', input: 'And then?', previous_response_id: 'resp_123' });
    expect(gw.upstream.calls[0].body.previous_response_id).toBe('resp_123');
  });

  it.each([
    ['az', 'https://res.openai.azure.com/openai/responses?api-version=2025-03-01-preview'],
    ['az-v1', 'https://res.openai.azure.com/openai/v1/responses?api-version=preview'],
  ])('Azure (%s): the deployment name in model, the key in api-key, at %s', async (model, url) => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('azure.com', { json: textResponse });
    // An Azure SDK sends the master key as api-key.
    const res = await post(gw, { model, input: 'Hi' }, { 'api-key': MASTER });
    expect(res.status).toBe(200);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe(url);
    expect(call.body.model).toBe('my-gpt-4.1');
    expect(call.headers['api-key']).toBe('az-key-123456');
    expect(call.headers.authorization).toBeUndefined();
  });
});

describe('POST /v1/responses to an Anthropic deployment: translated', () => {
  it('translates instructions, input, max_output_tokens, temperature, and the answer', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { json: textMessage });
    const res = await sdkFor(gw).responses.create({
      model: 'claude',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Who are you?' }] },
        { role: 'assistant', content: 'I am a model.' },
        { role: 'user', content: 'Your name?' },
      ],
      max_output_tokens: 200,
      temperature: 0.5,
      top_p: 0.9,
    });
    expect(res.object).toBe('response');
    expect(res.status).toBe('completed');
    expect(res.id).toMatch(/^resp_/);
    expect(res.model).toBe('claude');
    expect(res.output_text).toBe('Hi! My name is Claude.');
    expect(res.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi! My name is Claude.', annotations: [], logprobs: [] }] },
    ]);
    expect(res.usage).toEqual({ input_tokens: 2095, input_tokens_details: { cached_tokens: 0 }, output_tokens: 503, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2598 });
    expect((res as unknown as { store: boolean }).store).toBe(true);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://anthropic.test/v1/messages');
    expect(call.body).toMatchObject({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 200,
      temperature: 0.5,
      top_p: 0.9,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        { role: 'user', content: 'Who are you?' },
        { role: 'assistant', content: 'I am a model.' },
        { role: 'user', content: 'Your name?' },
      ],
    });
  });

  it('streams the typed events with sequence numbers, text and function calls, and the SDK builds the final response', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { stream: toolUseStream, noDone: true });
    const raw = await post(gw, { model: 'claude', input: 'Weather and time?', tools: [WEATHER], stream: true });
    const text = await raw.text();
    expect(eventNames(text)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const events = dataOf(text);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.at(-1).response.usage).toMatchObject({ input_tokens: 472, output_tokens: 89, total_tokens: 561 });

    const stream = sdkFor(gw).responses.stream({ model: 'claude', input: 'Weather and time?', tools: [WEATHER] });
    let streamed = '';
    stream.on('response.output_text.delta', (e) => (streamed += e.delta));
    const final = await stream.finalResponse();
    expect(streamed).toBe('Okay, let me check.');
    expect(final.output_text).toBe('Okay, let me check.');
    const calls = final.output.flatMap((o) => (o.type === 'function_call' ? [o] : []));
    expect(calls.map((c) => [c.call_id, c.name, JSON.parse(c.arguments)])).toEqual([
      ['toolu_01T1x1fJ34qAmk2tNTrN7Up6', 'get_weather', { location: 'San Francisco, CA', unit: 'fahrenheit' }],
      ['toolu_02B2y2gK45rBnZ', 'get_time', { tz: 'America/Los_Angeles' }],
    ]);
  });

  it('a function-call round trip: function_call and function_call_output items become tool_use and tool_result', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { json: toolUseMessage }, { json: textMessage });
    const client = sdkFor(gw);
    const first = await client.responses.create({ model: 'claude', input: 'Weather in SF?', tools: [WEATHER], tool_choice: 'required' });
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
    expect(call).toMatchObject({ call_id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather' });
    expect(JSON.parse(call.arguments)).toEqual({ location: 'San Francisco, CA', unit: 'celsius' });
    const second = await client.responses.create({
      model: 'claude',
      tools: [WEATHER],
      input: [{ role: 'user', content: 'Weather in SF?' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: '15 degrees' }],
    });
    expect(second.output_text).toBe('Hi! My name is Claude.');
    expect(gw.upstream.calls[0].body.tool_choice).toEqual({ type: 'any' });
    expect(gw.upstream.calls[1].body.messages).toEqual([
      { role: 'user', content: 'Weather in SF?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: "I'll check the current weather in San Francisco for you." },
          { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees' }] },
    ]);
  });

  it('text.format json_schema: the answer is the JSON, parsed by responses.parse', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { json: jsonToolMessage });
    const res = await sdkFor(gw).responses.parse({
      model: 'claude',
      input: 'Capital of France?',
      text: { format: { type: 'json_schema', name: 'answer', strict: true, schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } } },
    });
    expect(res.output_parsed).toEqual({ city: 'Paris' });
    expect(gw.upstream.calls[0].body.tools[0]).toMatchObject({ name: 'json_tool_call', input_schema: { properties: { city: { type: 'string' } } } });
  });

  it('previous_response_id to a translated deployment is a 400 naming it, never a silent loss of context', async () => {
    const gw = testGateway(CONFIG);
    const err = await sdkFor(gw).responses.create({ model: 'claude', input: 'And then?', previous_response_id: 'resp_123' }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toMatchObject({ param: 'previous_response_id' });
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('a custom tool to a translated deployment is a 400 naming its type; hosted tools are left out', async () => {
    const gw = testGateway(CONFIG);
    const res = await post(gw, { model: 'claude', input: 'x', tools: [{ type: 'custom', name: 'apply_patch' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("'custom'");
    gw.upstream.on('anthropic.test', { json: textMessage });
    const ok = await post(gw, { model: 'claude', input: 'x', tools: [{ type: 'web_search' }, WEATHER] });
    expect(ok.status).toBe(200);
    expect(gw.upstream.calls[0].body.tools.map((t: { name: string }) => t.name)).toEqual(['get_weather']);
  });

  it('a failure after the first byte ends the stream with an error event the SDK raises', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', openAIError(500, 'down', null, 'server_error'));
    const claudeStart = toolUseStream.slice(0, 3);
    gw.upstream.on('anthropic.test', { stream: claudeStart, thenError: 'reset' });
    const err = await sdkFor(gw).responses.stream({ model: 'gpt-then-claude', input: 'x' }).finalResponse().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
  });
});

describe('previous_response_id across providers: translated responses are kept (KV), scoped to the caller', () => {
  const userTurn = (text: string) => ({ role: 'user', content: text });

  it('a follow-up to a translated response carries the whole conversation, to the same provider or to OpenAI', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { json: textMessage });
    gw.upstream.on('openai.test', { json: textResponse });
    const client = sdkFor(gw);
    const first = await client.responses.create({ model: 'claude', instructions: 'Be brief.', input: 'Who are you?' });
    await gw.settle();
    const second = await client.responses.create({ model: 'claude', input: 'And your name?', previous_response_id: first.id });
    expect(second.output_text).toBe('Hi! My name is Claude.');
    expect(gw.upstream.calls[1].body.messages).toEqual([
      userTurn('Who are you?'),
      { role: 'assistant', content: 'Hi! My name is Claude.' },
      userTurn('And your name?'),
    ]);
    // OpenAI never saw that id: it gets the conversation itself, and no previous_response_id.
    await gw.settle();
    await client.responses.create({ model: 'gpt', input: 'Third?', previous_response_id: second.id });
    const toOpenAI = gw.upstream.callsTo('openai.test')[0].body;
    expect(toOpenAI.previous_response_id).toBeUndefined();
    expect(toOpenAI.input.map((i: { role?: string; type?: string }) => i.role ?? i.type)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('a streamed translated response is kept once it completed', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { stream: toolUseStream, noDone: true }, { json: textMessage });
    const client = sdkFor(gw);
    const first = await client.responses.stream({ model: 'claude', input: 'Weather?', tools: [WEATHER] }).finalResponse();
    await gw.settle();
    const call = first.output.find((o) => o.type === 'function_call')!;
    await client.responses.create({
      model: 'claude',
      tools: [WEATHER],
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: '15 degrees' }],
    });
    const roles = gw.upstream.calls[1].body.messages.map((m: { role: string }) => m.role);
    expect(roles).toEqual(['user', 'assistant', 'user']);
    expect(gw.upstream.calls[1].body.messages[1].content.map((b: { type: string }) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
  });

  it('a response sent with store: false is not kept: a follow-up is a 400, never an answer without the context', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { json: textMessage });
    const client = sdkFor(gw);
    const unkept = await client.responses.create({ model: 'claude', input: 'hi', store: false });
    expect((unkept as unknown as { store: boolean }).store).toBe(false);
    await gw.settle();
    const err = await client.responses.create({ model: 'claude', input: 'more', previous_response_id: unkept.id }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toMatchObject({ param: 'previous_response_id' });
  });
});

describe('fallbacks between an OpenAI and an Anthropic group, mid-request', () => {
  it('OpenAI failing: the Anthropic fallback answers, translated', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', openAIError(503, 'overloaded', null, 'server_error'));
    gw.upstream.on('anthropic.test', { json: textMessage });
    const { data, response } = await sdkFor(gw).responses.create({ model: 'gpt-then-claude', input: 'hi' }).withResponse();
    expect(data.output_text).toBe('Hi! My name is Claude.');
    expect(response.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
    expect(response.headers.get('x-litellm-model-group')).toBe('claude');
  });

  it('Anthropic failing: the OpenAI fallback answers, passed through byte for byte', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { status: 529, json: errorBody('overloaded_error', 'Overloaded') });
    gw.upstream.on('openai.test', { stream: textResponseStream, noDone: true });
    const res = await post(gw, { model: 'claude-then-gpt', input: 'hi', stream: true });
    expect(await res.text()).toBe(textResponseStream.join(''));
    expect(res.headers.get('x-litellm-model-group')).toBe('gpt');
  });
});

describe('errors on /v1/responses are OpenAI-shaped', () => {
  it.each([
    ['no key', { model: 'gpt', input: 'x' }, {}, 401, 'authentication_error'],
    ['an unknown model', { model: 'nope', input: 'x' }, undefined, 404, 'invalid_request_error'],
    ['bad JSON', '{"model":', undefined, 400, 'invalid_request_error'],
  ])('%s', async (_name, body, headers, status, type) => {
    const gw = testGateway(CONFIG);
    const res = await post(gw, body, headers);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe(type);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('an upstream 429 reaches the SDK as a RateLimitError', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', openAIError(429, 'slow down', 'rate_limit_exceeded', 'rate_limit_error'));
    const err = await sdkFor(gw).responses.create({ model: 'gpt', input: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('the function-call answer of OpenAI passes through unchanged', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { json: functionCallResponse });
    const res = await sdkFor(gw).responses.create({ model: 'gpt', input: 'Weather in Boston?', tools: [WEATHER] });
    expect(res.output).toEqual(functionCallResponse.output);
  });
});

