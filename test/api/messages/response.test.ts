import { describe, expect, it } from 'vitest';
import { stopReason, toMessage } from '../../../src/api/messages/response';
import type { ChatCompletion } from '../../../src/providers/openai-types';
import { chatCompletion as fakeCompletion } from '../../helpers/fake-upstream';

const chatCompletion = (content: string) => fakeCompletion(content) as unknown as ChatCompletion;

describe('chat.completion -> Anthropic Message', () => {
  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ])('finish_reason %s is stop_reason %s', (finish, stop) => expect(stopReason(finish)).toBe(stop));

  it('cached prompt tokens are counted apart, as Anthropic counts them', () => {
    const m = toMessage({ ...chatCompletion('hi'), usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_tokens_details: { cached_tokens: 60 } } }, 'group');
    expect(m.usage).toEqual({ input_tokens: 40, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 60 });
  });

  it('tool calls become tool_use blocks (unparseable arguments an empty input), no text block for no text', () => {
    const c = chatCompletion('');
    c.choices[0].message = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }, { id: 'c2', type: 'function', function: { name: 'g', arguments: '{oops' } }] };
    c.choices[0].finish_reason = 'tool_calls';
    const m = toMessage(c, 'group');
    expect(m.content).toEqual([
      { type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } },
      { type: 'tool_use', id: 'c2', name: 'g', input: {} },
    ]);
    expect(m).toMatchObject({ id: 'msg_chatcmpl-fake', type: 'message', role: 'assistant', model: 'group', stop_reason: 'tool_use', stop_sequence: null });
  });
});
