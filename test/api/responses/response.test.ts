import { describe, expect, it } from 'vitest';
import { toResponse } from '../../../src/api/responses/response';
import type { ChatCompletion } from '../../../src/providers/openai-types';
import { chatCompletion as fakeCompletion } from '../../helpers/fake-upstream';

const chatCompletion = (content: string) => fakeCompletion(content) as unknown as ChatCompletion;

describe('chat.completion -> Responses object', () => {
  it('echoes the request, and a length stop is an incomplete response', () => {
    const c = { ...chatCompletion('cut sh'), usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 1 } } };
    c.choices[0].finish_reason = 'length';
    const r = toResponse(c, { model: 'grp', input: 'x', instructions: 'I', max_output_tokens: 3, temperature: 0.3 });
    expect(r).toMatchObject({
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      model: 'grp',
      instructions: 'I',
      max_output_tokens: 3,
      temperature: 0.3,
      output: [{ type: 'message', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'cut sh' }] }],
      usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 8 },
    });
  });

  it('tool calls become function_call items with their call_id', () => {
    const c = chatCompletion('');
    c.choices[0].message = { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] };
    const r = toResponse(c, { model: 'grp' });
    expect(r.output).toEqual([{ type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_9', name: 'f', arguments: '{"a":1}', status: 'completed' }]);
    expect(r.status).toBe('completed');
  });

  it('a call of a namespace’s function comes back with its name and namespace', () => {
    const c = chatCompletion('');
    c.choices[0].message = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'agents__spawn', arguments: '{}' } }] };
    const r = toResponse(c, { model: 'grp', tools: [{ type: 'namespace', name: 'agents', tools: [] }] });
    expect(r.output[0]).toMatchObject({ type: 'function_call', name: 'spawn', namespace: 'agents', call_id: 'call_1' });
  });
});
