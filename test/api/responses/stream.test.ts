import { describe, expect, it } from 'vitest';
import { responsesDialect, toResponsesStream } from '../../../src/api/responses/stream';
import type { Deployment } from '../../../src/router/deployment';
import type { WatchState } from '../../../src/stream/relay';
import { SSEParser } from '../../../src/stream/sse';
import { classifiedError } from '../../../src/providers/http';
import { textResponseStream } from '../../fixtures/responses';
import { chunk, streamOf } from '../../helpers/fake-upstream';

const enc = new TextEncoder();

async function translate(chunks: unknown[], { done = true, cut = 0 } = {}) {
  const bytes = enc.encode([...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), ...(done ? ['data: [DONE]\n\n'] : [])].join(''));
  const step = cut || bytes.length;
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += step) c.enqueue(bytes.slice(i, i + step));
      c.close();
    },
  });
  const text = await new Response(source.pipeThrough(toResponsesStream({ model: 'grp', input: 'x' }))).text();
  return text.split('\n\n').filter(Boolean).map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)));
}

const toolDelta = (index: number, fn: Record<string, string>, id?: string) => ({ ...chunk(null), choices: [{ index: 0, delta: { tool_calls: [{ index, ...(id ? { id } : {}), function: fn }] }, finish_reason: null }] });

describe('chat chunks -> Responses events', () => {
  it('sequence numbers count from 0, whatever the byte cuts', async () => {
    for (const cut of [0, 5, 64]) {
      const events = await translate(streamOf('Hel', 'lo'), { cut });
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed', output: [{ type: 'message', content: [{ text: 'Hello' }] }] } });
    }
  });

  it('text after a function call opens a new message item at the next output_index', async () => {
    const events = await translate([toolDelta(0, { name: 'f', arguments: '{}' }, 'call_1'), chunk('after'), chunk(null, 'stop')]);
    const added = events.filter((e) => e.type === 'response.output_item.added');
    expect(added.map((e) => [e.output_index, e.item.type])).toEqual([
      [0, 'function_call'],
      [1, 'message'],
    ]);
    expect(events.find((e) => e.type === 'response.function_call_arguments.done')).toMatchObject({ name: 'f', arguments: '{}', output_index: 0 });
  });

  it('a length stop ends with response.incomplete', async () => {
    const events = await translate([chunk('cut'), chunk(null, 'length')]);
    expect(events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });

  it('an in-band error is an error event carrying an error object (so SDKs raise), and no completion follows', async () => {
    const events = await translate([chunk('x'), { error: { message: 'gone', type: 'api_error', code: 'connection_error' } }], { done: false });
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'connection_error', message: 'gone', error: { message: 'gone' } });
    expect(events.map((e) => e.type)).not.toContain('response.completed');
  });
});

describe('watching a passed-through Responses stream', () => {
  const d = { id: 'd1', provider: { name: 'openai' }, params: {} } as unknown as Deployment;
  const watch = (events: string[]) => {
    const dialect = responsesDialect();
    const state: WatchState = { contentChars: 0, done: false };
    const parser = new SSEParser();
    const errors = events.flatMap((e) => parser.push(enc.encode(e)).map((ev) => dialect.see(ev, state, (code, message) => classifiedError(d, 200, code, message)))).filter(Boolean);
    return { state, errors, dialect };
  };

  it('reads usage and the end from response.completed', () => {
    const { state, errors } = watch(textResponseStream);
    expect(errors).toEqual([]);
    expect(state.done).toBe(true);
    expect(state.usage).toEqual({ prompt_tokens: 36, completion_tokens: 87, total_tokens: 123 });
  });

  it('response.failed is an error; its event after the last sequence number', () => {
    const failed = `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: 2, response: { error: { code: 'server_error', message: 'boom' } } })}\n\n`;
    const { errors, dialect } = watch([...textResponseStream.slice(0, 2), failed]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('boom');
    const ev = new TextDecoder().decode(dialect.errorEvent(errors[0]!));
    expect(ev).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(ev.split('data: ')[1]).sequence_number).toBe(3);
  });
});
