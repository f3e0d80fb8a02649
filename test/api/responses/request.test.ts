import { describe, expect, it } from 'vitest';
import { parseResponsesRequest, toChatRequest } from '../../../src/api/responses/request';
import type { RouterError } from '../../../src/router/errors';

const chat = (body: Record<string, unknown>) => toChatRequest(parseResponsesRequest({ model: 'm', ...body }).request);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as RouterError;
  }
  throw new Error('expected a refusal');
};

describe('Responses request -> chat', () => {
  it('a string input is one user message; instructions a system message', () => {
    expect(chat({ input: 'hi', instructions: 'Be nice.', max_output_tokens: 50 })).toEqual({
      model: 'm',
      max_tokens: 50,
      messages: [{ role: 'system', content: 'Be nice.' }, { role: 'user', content: 'hi' }],
    });
  });

  it('message text and the function calls after it are one assistant turn; reasoning items are left out', () => {
    const c = chat({
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Dev note' }] },
        { role: 'user', content: [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAA', detail: 'high' }] },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'xyz' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{"a":1}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
      ],
    });
    expect(c.messages).toEqual([
      { role: 'developer', content: 'Dev note' },
      { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA', detail: 'high' } }] },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{"a":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
    ]);
  });

  it('function tools, tool_choice, text.format and stream', () => {
    const c = chat({
      input: 'x',
      stream: true,
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      safety_identifier: 'u1',
    });
    expect(c).toMatchObject({
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      user: 'u1',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each([
    [{ input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ input: [{ type: 'item_reference', id: 'x' }] }, 'input[0].type'],
    [{ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] }, 'input[0].content[0]'],
    [{ input: 'x', tools: [{ type: 'custom', name: 'apply_patch' }] }, 'tools[0].type'],
    [{ instructions: 'only' }, 'input'],
  ])('refuses %j naming %s', (body, param) => {
    const err = refusal(() => chat(body));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
  });

  it('hosted tools are left out (only OpenAI runs them); a namespace’s functions go as <namespace>__<name>', () => {
    const c = chat({
      input: [{ type: 'function_call', call_id: 'c1', namespace: 'agents', name: 'spawn', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1', output: 'ok' }],
      tools: [
        { type: 'web_search', external_web_access: false },
        { type: 'file_search', vector_store_ids: ['v'] },
        { type: 'namespace', name: 'agents', description: 'Sub-agents', tools: [{ type: 'function', name: 'spawn', parameters: { type: 'object' } }] },
      ],
    });
    expect(c.tools).toEqual([{ type: 'function', function: { name: 'agents__spawn', parameters: { type: 'object' } } }]);
    expect(c.messages[0].tool_calls).toEqual([{ id: 'c1', type: 'function', function: { name: 'agents__spawn', arguments: '{}' } }]);
  });

  it('background responses are refused before routing', () => {
    expect(refusal(() => parseResponsesRequest({ model: 'm', input: 'x', background: true })).param).toBe('background');
  });
});
