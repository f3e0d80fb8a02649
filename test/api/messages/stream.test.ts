import { describe, expect, it } from 'vitest';
import { messagesDialect, toMessagesStream } from '../../../src/api/messages/stream';
import type { Deployment } from '../../../src/router/deployment';
import type { WatchState } from '../../../src/stream/relay';
import { SSEParser } from '../../../src/stream/sse';
import { classifiedError } from '../../../src/providers/http';
import { overloadedEvent, textStream } from '../../fixtures/anthropic';
import { streamOf } from '../../helpers/fake-upstream';

const enc = new TextEncoder();

async function translate(events: string[], cut = 0): Promise<string> {
  const bytes = enc.encode(events.join(''));
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += cut || bytes.length) pieces.push(bytes.slice(i, i + (cut || bytes.length)));
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
  return new Response(source.pipeThrough(toMessagesStream('group', 7))).text();
}

const chatEvents = (chunks: unknown[], done = true) => [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), ...(done ? ['data: [DONE]\n\n'] : [])];
const names = (text: string) => [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);

describe('chat chunks -> Anthropic events', () => {
  it('the same events however the bytes are cut', async () => {
    const whole = await translate(chatEvents(streamOf('Hello', ' world')));
    expect(names(whole)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    for (const cut of [1, 7, 33]) expect((await translate(chatEvents(streamOf('Hello', ' world')), cut)).replace(/msg_[^"]+/g, 'msg')).toBe(whole.replace(/msg_[^"]+/g, 'msg'));
  });

  it('message_start carries the estimate until the real usage arrives in message_delta', async () => {
    const text = await translate(chatEvents([...streamOf('x'), { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }]));
    const data = text.split('\n\n').filter(Boolean).map((b) => JSON.parse(b.split('data: ')[1]));
    expect(data[0].message.usage.input_tokens).toBe(7);
    expect(data.find((d) => d.type === 'message_delta')).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 9, output_tokens: 2 } });
  });

  it('an in-band error becomes an Anthropic error event, and a stream without [DONE] no message_stop', async () => {
    const text = await translate(chatEvents([...streamOf('x').slice(0, 2), { error: { message: 'gone', type: 'rate_limit_error' } }], false));
    expect(names(text).at(-1)).toBe('error');
    expect(text).toContain('{"type":"error","error":{"type":"rate_limit_error","message":"gone"}}');
    expect(names(text)).not.toContain('message_stop');
  });
});

describe('watching a passed-through Anthropic stream', () => {
  const d = { id: 'd1', provider: { name: 'anthropic' }, params: {} } as unknown as Deployment;
  const watch = (events: string[]) => {
    const dialect = messagesDialect();
    const state: WatchState = { contentChars: 0, done: false };
    const parser = new SSEParser();
    const errors = events.flatMap((e) => parser.push(enc.encode(e)).map((ev) => dialect.see(ev, state, (code, message) => classifiedError(d, 200, code, message)))).filter(Boolean);
    return { state, errors };
  };

  it('reads usage from message_start and message_delta, and the end from message_stop', () => {
    const { state, errors } = watch(textStream);
    expect(errors).toEqual([]);
    expect(state.done).toBe(true);
    expect(state.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
  });

  it('an error event is a classified error (overloaded: ServiceUnavailableError)', () => {
    const { errors } = watch([textStream[0], overloadedEvent]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.errorClass).toBe('ServiceUnavailableError');
  });
});
