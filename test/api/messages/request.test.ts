import { describe, expect, it } from 'vitest';
import { parseMessagesRequest, toChatRequest } from '../../../src/api/messages/request';
import { RouterError } from '../../../src/router/errors';

const parse = (body: Record<string, unknown>) => parseMessagesRequest({ model: 'm', max_tokens: 10, ...body }).request;
const chat = (body: Record<string, unknown>) => toChatRequest(parse(body));
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as RouterError;
  }
  throw new Error('expected a refusal');
};

describe('Messages request checks', () => {
  it('takes the gateway controls out and keeps every other field as sent', () => {
    const { request, controls } = parseMessagesRequest({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], num_retries: 1, top_k: 3, mock_response: 'hi' });
    expect(controls).toEqual({ num_retries: 1, mock_response: 'hi' });
    expect(request).toEqual({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], top_k: 3 });
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'x' }], max_tokens: undefined }, 'max_tokens'],
    [{ messages: [] }, 'messages'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
    [{ messages: [{ role: 'user', content: 5 }] }, 'messages.0.content'],
  ])('refuses %j naming %s', (body, param) => {
    const err = refusal(() => parse(body));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
  });
});

describe('Messages request -> chat', () => {
  it('tool results become tool messages before the turn’s other content; errors and images are kept', () => {
    const c = chat({
      messages: [
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'tool_use', id: 't1', name: 'shot', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Here:' },
            { type: 'tool_result', tool_use_id: 't1', is_error: true, content: [{ type: 'text', text: 'failed' }, { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } }] },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
          ],
        },
      ],
    });
    expect(c.messages).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'shot', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'Error: failed' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Here:' },
          { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBER' } },
        ],
      },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto', undefined],
    [{ type: 'none' }, 'none', undefined],
    [{ type: 'any' }, 'required', undefined],
    [{ type: 'tool', name: 'f', disable_parallel_tool_use: true }, { type: 'function', function: { name: 'f' } }, false],
  ])('tool_choice %j -> %j', (choice, expected, parallel) => {
    const c = chat({ messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: choice });
    expect(c.tool_choice).toEqual(expected);
    expect(c.parallel_tool_calls).toBe(parallel);
  });

  it('a system string, stream with usage, top_p and temperature', () => {
    const c = chat({ system: 'S', stream: true, top_p: 0.5, temperature: 0.1, top_k: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(c).toEqual({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'x' }],
      top_p: 0.5,
      temperature: 0.1,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('a system turn inside messages (as Claude Code sends them) is a system message', () => {
    const c = chat({ messages: [{ role: 'user', content: 'x' }, { role: 'system', content: 'Agents: a, b' }, { role: 'system', content: [{ type: 'text', text: 'More' }] }] });
    expect(c.messages.slice(1)).toEqual([
      { role: 'system', content: 'Agents: a, b' },
      { role: 'system', content: 'More' },
    ]);
  });

  it('blocks only Anthropic serves are refused by name', () => {
    expect(refusal(() => chat({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] })).param).toBe('messages.0.content.0.type');
    expect(refusal(() => chat({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] })).message).toContain('file source');
  });
});
