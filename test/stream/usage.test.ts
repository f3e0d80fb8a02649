// A streamed request's usage is the upstream's own count: an OpenAI-wire upstream is asked for its usage chunk
// (stream_options.include_usage), and a client that did not ask for it never sees it: the relay books it, then
// leaves it out of the client's stream, every other byte as the upstream sent it.
import { describe, expect, it } from 'vitest';
import type { RequestLog } from '../../src/observability/events';
import type { RelayOutcome } from '../../src/stream/relay';
import { chatDialect, chatDialectHidingUsage, relayStream } from '../../src/stream/relay';
import { chunk, piecewise as cut, streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

/** Numbers no estimate from a few characters of content could give. */
const USAGE = { prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801 };

const config = (litellmParams: string, info = 'id: d-1, input_cost_per_token: 0.001, output_cost_per_token: 0.002') => `
model_list:
  - model_name: m
    litellm_params: { ${litellmParams} }
    model_info: { ${info} }
router_settings: { num_retries: 0 }
`;
const OPENAI = config('model: openai/gpt-4o, api_key: sk-test-123456, api_base: https://upstream.test/v1');

function spied(yaml: string) {
  const logs: RequestLog[] = [];
  const gw = testGateway(yaml, { callbacks: [{ name: 'spy', onSuccess: (l) => void logs.push({ ...l }), onFailure: (l) => void logs.push({ ...l }) }] });
  return { gw, logs };
}

describe('OpenAI-wire streams ask for their usage', () => {
  it('a client that did not ask gets no usage chunk; the booked usage is the upstream count, not an estimate', async () => {
    const { gw, logs } = spied(OPENAI);
    gw.upstream.on('/chat/completions', { stream: streamOf('Hel', 'lo'), usage: USAGE });
    const stream = await sdkFor(gw).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(gw.upstream.calls[0].body.stream_options).toEqual({ include_usage: true });
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello');
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    await gw.settle();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ ok: true, stream: true, usage: USAGE });
    expect(logs[0].cost).toBeCloseTo(1234 * 0.001 + 567 * 0.002);
  });

  it("keeps the client's other stream_options fields", async () => {
    const gw = testGateway(OPENAI);
    const res = await gw.chat({ model: 'm', messages: user(), stream: true, stream_options: { include_obfuscation: false } });
    await res.text();
    expect(gw.upstream.calls[0].body.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it('a client that asked (include_usage: true) gets the usage chunk, as the upstream sent it', async () => {
    const { gw, logs } = spied(OPENAI);
    gw.upstream.on('/chat/completions', { stream: streamOf('Hi'), usage: USAGE });
    const stream = await sdkFor(gw).chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(gw.upstream.calls[0].body.stream_options).toEqual({ include_usage: true });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: USAGE });
    await gw.settle();
    expect(logs[0].usage).toEqual(USAGE);
  });

  it('a non-stream request is sent as the client sent it', async () => {
    const gw = testGateway(OPENAI);
    await gw.chat({ model: 'm', messages: user() });
    expect(gw.upstream.calls[0].body).toEqual({ model: 'gpt-4o', messages: user() });
  });

  it('azure/ asks from api_version 2024-09-01 on (the default 2024-10-21 included), not before', async () => {
    const azure = (version: string) =>
      config(`model: azure/gpt-4o, api_key: az-key-123456, api_base: https://r.openai.azure.com${version ? `, api_version: "${version}"` : ''}`);
    for (const [version, asks] of [['', true], ['2024-10-21', true], ['2025-01-01-preview', true], ['preview', true], ['2024-06-01', false], ['2024-08-01-preview', false]] as const) {
      const { gw, logs } = spied(azure(version));
      gw.upstream.on('/chat/completions', { stream: streamOf('Hi'), usage: USAGE });
      const events = await readEvents(await gw.chat({ model: 'm', messages: user(), stream: true }));
      expect(gw.upstream.calls[0].body.stream_options, version).toEqual(asks ? { include_usage: true } : undefined);
      expect(events.filter((e) => e !== '[DONE]' && e.choices.length === 0), version).toEqual([]);
      await gw.settle();
      // Not asked: no usage comes, and the estimate is booked.
      expect(logs[0].usage, version).toEqual(asks ? USAGE : expect.not.objectContaining({ prompt_tokens: USAGE.prompt_tokens }));
    }
  });

  it('catalogue hosts ask too, but those that refuse stream_options (mistral, codestral, cohere) do not', async () => {
    for (const [prefix, asks] of [['groq', true], ['deepseek', true], ['mistral', false], ['codestral', false], ['cohere', false]] as const) {
      const gw = testGateway(config(`model: ${prefix}/some-model, api_key: key-123456`));
      gw.upstream.on('/chat/completions', { stream: streamOf('Hi'), usage: USAGE });
      await (await gw.chat({ model: 'm', messages: user(), stream: true })).text();
      expect(gw.upstream.calls[0].body.stream_options, prefix).toEqual(asks ? { include_usage: true } : undefined);
    }
  });

  it('translated streams (anthropic/) are unchanged: no stream_options upstream, no usage chunk unasked', async () => {
    const gw = testGateway(config('model: anthropic/claude-sonnet-4-5, api_key: sk-ant-123456, api_base: https://anthropic.test'));
    const events = await readEvents(await gw.chat({ model: 'm', messages: user(), stream: true }));
    expect(gw.upstream.calls[0].body.stream_options).toBeUndefined();
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.filter((e) => e !== '[DONE]' && (e.usage || e.choices.length === 0))).toEqual([]);
  });
});

// The relay on its own: the usage event dropped however the upstream's bytes are cut, the rest byte for byte.
const enc = new TextEncoder();
const event = (e: unknown) => `data: ${JSON.stringify(e)}\n\n`;
const withNullUsage = (e: object) => ({ ...e, usage: null });
const BEFORE = [...streamOf('Hel', 'lo "wor\\ld"', ' ünï')].map((e) => event(withNullUsage(e as object))).join('');
const USAGE_EVENT = event({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o', choices: [], usage: USAGE });
const DONE = 'data: [DONE]\n\n';

function upstream(pieces: string[]): ReadableStream<Uint8Array> {
  const bytes = pieces.map((p) => enc.encode(p));
  let i = 0;
  return new ReadableStream({ pull: (c) => (i < bytes.length ? c.enqueue(bytes[i++]) : c.close()) });
}

async function relay(body: ReadableStream<Uint8Array>, dialect = chatDialectHidingUsage) {
  let outcome: RelayOutcome | undefined;
  const stream = await relayStream(body, { startedAt: 0, now: () => 5, idleTimeoutMs: 1000, abort: () => {}, onEnd: (o) => (outcome = o), dialect });
  const reads: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) reads.push(r.value);
  return { out: new TextDecoder().decode(await new Blob(reads).arrayBuffer()), reads, outcome: outcome! };
}

describe('relayStream drops a usage chunk the client did not ask for', () => {
  it('split across two reads: the client gets exactly the other events', async () => {
    const at = USAGE_EVENT.indexOf('"usage"');
    const { out, outcome } = await relay(upstream([BEFORE, USAGE_EVENT.slice(0, at), USAGE_EVENT.slice(at) + DONE]));
    expect(out).toBe(BEFORE + DONE);
    expect(outcome).toMatchObject({ ok: true, usage: USAGE });
  });

  it('alone in a read: the relay reads on to the next event rather than send nothing', async () => {
    const { out, reads, outcome } = await relay(upstream([BEFORE, USAGE_EVENT, DONE]));
    expect(out).toBe(BEFORE + DONE);
    expect(reads.every((r) => r.length > 0)).toBe(true);
    expect(outcome).toMatchObject({ ok: true, usage: USAGE });
  });

  it('in one read with the finish chunk and [DONE]: the bytes before and after it, not the event', async () => {
    const finish = event(withNullUsage(chunk(null, 'stop')));
    const head = BEFORE.slice(0, BEFORE.length - finish.length);
    expect(head + finish).toBe(BEFORE);
    const { out, reads, outcome } = await relay(upstream([head, finish + USAGE_EVENT + DONE]));
    expect(out).toBe(BEFORE + DONE);
    expect(reads.map((r) => new TextDecoder().decode(r))).toEqual([head, finish, DONE]);
    expect(outcome).toMatchObject({ ok: true, usage: USAGE });
  });

  it('a whole stream in one read, or cut anywhere: the same bytes less the usage event', async () => {
    const text = BEFORE + USAGE_EVENT + DONE;
    for (const size of [1, 2, 7, 50, 333, text.length * 4]) {
      const { out, outcome } = await relay(cut(text, size));
      expect(out, `pieces of ${size}`).toBe(BEFORE + DONE);
      expect(outcome, `pieces of ${size}`).toMatchObject({ ok: true, usage: USAGE });
      expect(outcome.contentChars).toBe(3 + JSON.stringify('lo "wor\\ld"').length - 2 + 4);
    }
  });

  it('passes it through when the client asked (chatDialect), byte for byte', async () => {
    const text = BEFORE + USAGE_EVENT + DONE;
    const { out, outcome } = await relay(cut(text, 7), chatDialect);
    expect(out).toBe(text);
    expect(outcome.usage).toEqual(USAGE);
  });

  it('keeps a usage that comes on a chunk with choices (an upstream that sends it unasked)', async () => {
    const text = event(chunk('a')) + event({ ...chunk(null, 'stop'), usage: USAGE }) + DONE;
    const { out, outcome } = await relay(upstream([text]));
    expect(out).toBe(text);
    expect(outcome.usage).toEqual(USAGE);
  });

  it('an in-band error after the usage event in the same read: the events before it, then the error event', async () => {
    const { out, outcome } = await relay(upstream([BEFORE, USAGE_EVENT + event({ error: { message: 'overloaded', code: 'server_error' } })]));
    expect(out.startsWith(BEFORE)).toBe(true);
    const rest = out.slice(BEFORE.length);
    expect(rest).not.toContain('"usage"');
    expect(JSON.parse(rest.slice('data: '.length)).error.message).toContain('overloaded');
    expect(outcome.ok).toBe(false);
  });
});

describe('the fast path under include_usage', () => {
  it('settles a content chunk carrying `"usage":null` on its bytes, and leaves a real usage to `see`', () => {
    const state = { contentChars: 0, done: false };
    const bytes = (e: unknown) => enc.encode(`data: ${JSON.stringify(e)}`);
    const content = bytes(withNullUsage(chunk('four')));
    expect(chatDialect.quick!(content, 0, content.length, state)).toBe(true);
    expect(state.contentChars).toBe(4);
    const usage = bytes({ ...chunk(null), choices: [], usage: USAGE });
    expect(chatDialect.quick!(usage, 0, usage.length, state)).toBe(false);
  });
});
