// The Messages and Responses schemas (issue 27, item 2a) against the official SDKs' own request types: every body
// here type-checks as the SDK's params (tsc is the judge of "valid"), and each must pass; each malformed body is
// refused with a 400 naming its field, in the route's API's words and error shape, before any upstream call.
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { parseMessagesRequest } from '../../src/api/messages/request';
import { parseResponsesRequest } from '../../src/api/responses/request';
import { RouterError } from '../../src/router/errors';
import { testGateway } from '../helpers/gateway';

type Create = Anthropic.MessageCreateParams;
type BetaCreate = Anthropic.Beta.MessageCreateParams;
type Responses = OpenAI.Responses.ResponseCreateParams;

const model = 'claude-sonnet-4-5';
const MESSAGES: Array<[string, Create | BetaCreate]> = [
  ['the smallest', { model, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }],
  [
    'every kind of block a request carries',
    {
      model,
      max_tokens: 1024,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
            { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain' }, citations: { enabled: true } },
            { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'inner' }] } },
            { type: 'search_result', source: 'https://x.test', title: 'X', content: [{ type: 'text', text: 'found' }] },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Let me see.', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Calling.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'weather' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny', is_error: false },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { type: 'url', url: 'https://x.test/b.png' } }] },
          ],
        },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, cache_control: { type: 'ephemeral' } },
        { type: 'custom', name: 'other', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
        { type: 'bash_20250124', name: 'bash' },
      ],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      metadata: { user_id: 'u-1' },
      stop_sequences: ['END'],
      service_tier: 'auto',
      stream: true,
    },
  ],
  ['tool_choice naming a tool', { model, max_tokens: 16, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'tool', name: 'f' } }],
  ['thinking off, tool_choice none', { model, max_tokens: 16, messages: [{ role: 'user', content: 'x' }], thinking: { type: 'disabled' }, tool_choice: { type: 'none' } }],
  [
    'the beta fields Claude Code sends',
    {
      model,
      max_tokens: 32000,
      messages: [{ role: 'user', content: 'x' }],
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
      mcp_servers: [{ type: 'url', url: 'https://mcp.test', name: 'm' }],
      container: 'container_1',
      output_format: { type: 'json_schema', schema: { type: 'object' } },
    },
  ],
];

const gpt = 'gpt-4o';
const RESPONSES: Array<[string, Responses]> = [
  ['a string input', { model: gpt, input: 'Hi', instructions: 'Be brief.' }],
  [
    'every kind of item a conversation carries',
    {
      model: gpt,
      input: [
        { role: 'developer', content: 'Dev note' },
        { role: 'user', content: [{ type: 'input_text', text: 'Look:' }, { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'auto' }, { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' }] },
        { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thought' }], encrypted_content: 'enc' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Sunny' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'ok' }] },
        { type: 'item_reference', id: 'msg_0' },
        { id: 'msg_00' },
      ],
      tools: [
        { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: true, description: 'Weather' },
        { type: 'web_search' },
        { type: 'file_search', vector_store_ids: ['vs_1'] },
      ],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      reasoning: { effort: 'high', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
      stream: true,
      prompt_cache_key: 'k',
      max_output_tokens: 4096,
      temperature: 1,
      top_p: 1,
      metadata: { app: 'x' },
      service_tier: 'flex',
      truncation: 'auto',
      safety_identifier: 'u-1',
      previous_response_id: null,
    },
  ],
  ['a stored prompt and a conversation', { model: gpt, prompt: { id: 'pmpt_1', variables: { a: 'b' } }, conversation: 'conv_1', tool_choice: 'required' }],
];

const refusal = (fn: () => unknown): RouterError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RouterError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('what the official SDKs send passes', () => {
  it.each(MESSAGES)('Messages: %s', (_name, body) => {
    expect(parseMessagesRequest(body).request).toEqual(body);
  });
  it.each(RESPONSES)('Responses: %s', (_name, body) => {
    expect(parseResponsesRequest(body).request).toEqual(body);
  });
});

describe('a malformed body is refused naming its field', () => {
  const base = { model, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] };
  it.each([
    [{ system: 123 }, 'system', 'system: Input should be a string or an array of text blocks'],
    [{ system: { a: 1 } }, 'system', 'system: Input should be a string or an array of text blocks'],
    [{ system: [null, true] }, 'system.0', 'system.0: Input should be a valid dictionary'],
    [{ tools: 'abc' }, 'tools', 'tools: Input should be a valid list'],
    [{ tools: [{ name: 'f' }] }, 'tools.0.input_schema', 'tools.0.input_schema: Field required'],
    [{ tool_choice: { type: 'sometimes' } }, 'tool_choice.type', "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"],
    [{ max_tokens: 0 }, 'max_tokens', 'max_tokens: Input should be greater than or equal to 1'],
    [{ max_tokens: 1.5 }, 'max_tokens', 'max_tokens: Input should be a valid integer'],
    [{ messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }, 'messages.0.content.0.text', 'messages.0.content.0.text: Input should be a valid string'],
    [{ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [null] }] }] }, 'messages.0.content.0.content.0', 'messages.0.content.0.content.0: Input should be a valid dictionary'],
    [{ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data: 'x' } }] }] }, 'messages.0.content.0.source.media_type', 'messages.0.content.0.source.media_type: Field required'],
    [{ temperature: 2 }, 'temperature', 'temperature: Input should be less than or equal to 1'],
    [{ stop_sequences: 'END' }, 'stop_sequences', 'stop_sequences: Input should be a valid list'],
  ])('Messages %j: %s', (extra, param, message) => {
    const err = refusal(() => parseMessagesRequest({ ...base, ...extra }));
    expect([err.status, err.param, err.message]).toEqual([400, param, message]);
  });

  it.each([
    [{ input: 5 }, 'input', "Invalid type for 'input': expected a string or an array of input items, but got an integer instead."],
    [{ input: [null] }, 'input[0]', "Invalid type for 'input[0]': expected an object, but got null instead."],
    [{ input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', "Invalid value for 'input[0].role': \"robot\". Supported values are: \"user\", \"assistant\", \"system\" or \"developer\"."],
    [{ input: [{ type: 'function_call_output', call_id: 1, output: 'x' }] }, 'input[0].call_id', "Invalid type for 'input[0].call_id': expected a string, but got an integer instead."],
    [{ instructions: ['x'] }, 'instructions', "Invalid type for 'instructions': expected a string, but got an array instead."],
    [{ tools: [{ type: 'function' }] }, 'tools[0].name', "Missing required parameter: 'tools[0].name'."],
    [{ tools: [{ type: 'namespace', name: 'n', tools: [null] }] }, 'tools[0].tools[0]', "Invalid type for 'tools[0].tools[0]': expected an object, but got null instead."],
    [{ text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema', "Missing required parameter: 'text.format.schema'."],
    [{ max_output_tokens: -1 }, 'max_output_tokens', "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead."],
    [{ temperature: 'hot' }, 'temperature', "Invalid type for 'temperature': expected a number, but got a string instead."],
  ])('Responses %j: %s', (extra, param, message) => {
    const err = refusal(() => parseResponsesRequest({ model: gpt, input: 'x', ...extra }));
    expect([err.status, err.param, err.message]).toEqual([400, param, message]);
  });

  it('over HTTP: Anthropic\'s error shape on the Messages routes, OpenAI\'s on Responses, and no upstream call', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-test-1 } }
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-test-1, api_base: https://up.test/v1 } }
`);
    const post = (path: string, json: unknown) => gw.request(path, { method: 'POST', json });
    const messages = await post('/v1/messages', { model: 'claude', max_tokens: 16, messages: [{ role: 'user', content: 'x' }], system: 123 });
    expect([messages.status, await messages.json()]).toEqual([
      400,
      { type: 'error', error: { type: 'invalid_request_error', message: 'system: Input should be a string or an array of text blocks' } },
    ]);
    const count = await post('/v1/messages/count_tokens', { model: 'claude', messages: 'x' });
    expect([count.status, await count.json()]).toEqual([400, { type: 'error', error: { type: 'invalid_request_error', message: 'messages: Input should be a valid list' } }]);
    const responses = await post('/v1/responses', { model: 'gpt', input: 'x', tools: 'abc' });
    expect([responses.status, await responses.json()]).toEqual([
      400,
      { error: { message: "Invalid type for 'tools': expected an array, but got a string instead.", type: 'invalid_request_error', param: 'tools', code: 'invalid_type' } },
    ]);
    expect(gw.upstream.calls).toHaveLength(0);
  });
});
