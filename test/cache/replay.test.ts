// A stored answer in either form: chunks add up to the completion, and the completion splits back into them.
import { describe, expect, it } from 'vitest';
import { chunksToCompletion, completionToChunks } from '../../src/cache/replay';
import type { ChatChunk, ChatCompletion } from '../../src/providers/openai-types';

const noEstimate = () => {
  throw new Error('usage was sent, no estimate needed');
};

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  ({ id: 'c1', object: 'chat.completion.chunk', created: 5, model: 'gpt-4o', choices, ...extra }) as ChatChunk;

describe('chunksToCompletion', () => {
  it('concatenates content, merges tool-call deltas by index, keeps finish reasons and usage', () => {
    const chunks = [
      chunk([{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }], { system_fingerprint: 'fp' }),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }, { index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
      chunk([], { usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } }),
    ];
    const body = chunksToCompletion(chunks, noEstimate);
    expect(body).toEqual({
      id: 'c1',
      object: 'chat.completion',
      created: 5,
      model: 'gpt-4o',
      system_fingerprint: 'fp',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
    });
  });

  it('keeps n > 1 choices apart and estimates usage when the stream sent none', () => {
    const chunks = [
      chunk([{ index: 1, delta: { role: 'assistant', content: 'B' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { role: 'assistant', content: 'A' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'aa' }, finish_reason: 'stop' }, { index: 1, delta: { content: 'bb' }, finish_reason: 'length' }]),
    ];
    const body = chunksToCompletion(chunks, (chars) => ({ prompt_tokens: 1, completion_tokens: chars, total_tokens: 1 + chars }));
    expect(body.choices.map((c) => [c.message.content, c.finish_reason])).toEqual([
      ['Aaa', 'stop'],
      ['Bbb', 'length'],
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 1, completion_tokens: 6, total_tokens: 7 });
  });
});

describe('completionToChunks', () => {
  it('round-trips through chunksToCompletion, tool calls and usage included', () => {
    const body: ChatCompletion = {
      id: 'c2',
      object: 'chat.completion',
      created: 7,
      model: 'gpt-4o',
      system_fingerprint: 'fp',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Sure.', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' },
        { index: 1, message: { role: 'assistant', content: 'Other.' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    };
    const chunks = completionToChunks(body, true);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === 'c2')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: body.usage });
    expect(chunks[0].choices[0].delta.tool_calls).toEqual([{ index: 0, id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }]);
    expect(chunksToCompletion(chunks, noEstimate)).toEqual(body);
    expect(completionToChunks(body, false).some((c) => c.usage)).toBe(false);
  });
});
