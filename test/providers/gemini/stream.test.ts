// streamGenerateContent?alt=sse -> chat.completion.chunk SSE (src/providers/gemini/stream.ts), over arbitrary
// cuts of the upstream bytes.
import { describe, expect, it } from 'vitest';
import { toChatChunkStream } from '../../../src/providers/gemini/stream';
import type { RouterError } from '../../../src/router/errors';
import { safetyBlockedResponse, safetyMidStream, textStream, toolCallStream } from '../../fixtures/gemini';
import { deployment } from './helpers';

const enc = new TextEncoder();

async function translate(events: string[], opts: { includeUsage?: boolean; cut?: number } = {}) {
  const bytes = enc.encode(events.join(''));
  const cut = opts.cut ?? bytes.length;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += cut) c.enqueue(bytes.slice(i, i + cut));
      c.close();
    },
  });
  const text = await new Response(body.pipeThrough(toChatChunkStream({ deployment: deployment(), includeUsage: opts.includeUsage ?? false }))).text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => e.replace(/^data: /, ''))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

describe('gemini stream translation', () => {
  it('text parts become content deltas, the finish chunk, then [DONE], however the bytes are cut', async () => {
    for (const cut of [1, 7, 64, 100000]) {
      const events = await translate(textStream, { cut });
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks.map((c: any) => c.choices[0].delta.content ?? '').join('')).toBe('The capital of France is Paris.');
      expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
      expect(chunks.every((c: any) => c.object === 'chat.completion.chunk' && c.id === 'st-1')).toBe(true);
    }
  });

  it('the usage chunk with include_usage, from the last usageMetadata', async () => {
    const events = await translate(textStream, { includeUsage: true });
    expect(events.at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 7, total_tokens: 15 } });
  });

  it('functionCall parts become whole tool-call deltas, indexed, finish_reason tool_calls', async () => {
    const events = await translate(toolCallStream);
    const calls = events.flatMap((e: any) => (e === '[DONE]' ? [] : (e.choices[0].delta.tool_calls ?? [])));
    expect(calls.map((c: any) => [c.index, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      [0, 'get_weather', { location: 'Boston, MA', unit: 'celsius' }],
      [1, 'get_time', { tz: 'America/New_York' }],
    ]);
    expect(calls.every((c: any) => typeof c.id === 'string' && c.type === 'function')).toBe(true);
    expect(events.at(-2).choices[0].finish_reason).toBe('tool_calls');
  });

  it('a filter stop after some text ends with finish_reason content_filter', async () => {
    const events = await translate(safetyMidStream);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.at(-2).choices[0].finish_reason).toBe('content_filter');
  });

  it('blocked before any content: a ContentPolicyViolationError before the first byte', async () => {
    await expect(translate([`data: ${JSON.stringify(safetyBlockedResponse)}\r\n\r\n`])).rejects.toMatchObject({ errorClass: 'ContentPolicyViolationError' });
    // An empty first part (as Google sometimes sends) has put nothing on the wire yet either.
    const empty = `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, index: 0 }] })}\r\n\r\n`;
    await expect(translate([empty, `data: ${JSON.stringify(safetyBlockedResponse)}\r\n\r\n`])).rejects.toMatchObject({ errorClass: 'ContentPolicyViolationError' });
  });

  it('an in-band error event fails the stream with its class', async () => {
    const err = `data: ${JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } })}\r\n\r\n`;
    await expect(translate([textStream[0], err])).rejects.toMatchObject({ errorClass: 'RateLimitError' } satisfies Partial<RouterError>);
  });

  it('an upstream that ends before a finishReason is an error, never a clean [DONE]', async () => {
    await expect(translate([textStream[0]])).rejects.toMatchObject({ errorClass: 'InternalServerError' });
  });
});
