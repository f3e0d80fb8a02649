// router_settings.stream_failure: continue. A stream cut after its first byte goes on at the next deployment (retries,
// then fallbacks) with the answer so far as an assistant prefill, spliced into the same client stream: one answer,
// one id, one end. Cut at the first, a middle and the last event, for chat, Messages and Responses, through the
// official SDKs; a tool-call stream, or the default `error`, still ends with the error event.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { sse } from '../fixtures/anthropic';
import { chunk, FakeUpstream, streamOf } from '../helpers/fake-upstream';
import { readEvents, type TestGateway, testGateway, user } from '../helpers/gateway';
import { Router } from '../../src/router/router';
import type { RequestLog } from '../../src/observability/events';
import { CONTINUE_INSTRUCTION } from '../../src/router/continuation';

const MASTER = 'sk-master-1234';
const MODELS = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { id: gpt-1 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-123456, api_base: https://first.anthropic.test, order: 1 }, model_info: { id: claude-1, input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-123456, api_base: https://second.anthropic.test, order: 2 }, model_info: { id: claude-2, input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }
general_settings: { master_key: ${MASTER} }
`;
const CONFIG = `${MODELS}
router_settings:
  stream_failure: continue
  fallbacks: [{ gpt: [claude] }]
`;

const FIRST = 'https://first.anthropic.test';
const SECOND = 'https://second.anthropic.test';

/** Anthropic's stream of a text answer, as its reference documents it. */
function claudeStream(id: string, pieces: string[], usage = { input: 40, output: 7 }): string[] {
  return [
    sse({
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } },
    }),
    sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...pieces.map((text) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
    sse({ type: 'content_block_stop', index: 0 }),
    sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } }),
    sse({ type: 'message_stop' }),
  ];
}

/** The same stream cut after its first `events` events (the connection reset there). */
const cutClaude = (pieces: string[], events: number) => ({ stream: claudeStream('msg_first', pieces).slice(0, events), thenError: 'reset' as const, noDone: true });

const auth = { authorization: `Bearer ${MASTER}` };

function openai(gw: TestGateway) {
  return new OpenAI({
    apiKey: MASTER,
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async (url, init) => {
      const u = new URL(String(url));
      return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    },
  });
}

function anthropic(gw: TestGateway) {
  return new Anthropic({
    apiKey: MASTER,
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async (url, init) => {
      const u = new URL(String(url));
      return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    },
  });
}

const textOf = (events: any[]) =>
  events
    .filter((e) => typeof e === 'object' && e.choices?.[0]?.delta?.content)
    .map((e) => e.choices[0].delta.content)
    .join('');

describe('stream_failure: continue, chat', () => {
  // Pieces of the whole answer; the cut leaves the first `sent` with the client, the continuation sends the rest.
  const WHOLE = ['The', ' quick', ' brown', ' fox', ' jumps.'];
  const cases: Array<[string, number]> = [
    ['the first event', 1],
    ['a middle event', 3],
    ['the last event', 5],
  ];
  for (const [where, sent] of cases) {
    it(`an OpenAI stream cut after ${where} continues on the fallback's Claude: one answer, one id, one [DONE] (OpenAI SDK)`, async () => {
      const gw = testGateway(CONFIG);
      gw.upstream.on('openai.test', { stream: streamOf(...WHOLE).slice(0, 1 + sent), thenError: 'reset' });
      gw.upstream.on(FIRST, { stream: claudeStream('msg_rest', WHOLE.slice(sent)), noDone: true });
      const stream = await openai(gw).chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'Say it' }], stream: true });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const c of stream) chunks.push(c);
      await gw.settle();

      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(WHOLE.join(''));
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['chatcmpl-fake']));
      expect(new Set(chunks.map((c) => c.model))).toEqual(new Set(['gpt-4o']));
      expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
      // The continuation was asked to go on from the text the client has, as the assistant's own turn.
      const [cont] = gw.upstream.callsTo(FIRST);
      expect(cont.body.messages.at(-1)).toEqual({ role: 'assistant', content: WHOLE.slice(0, sent).join('') });
      expect(JSON.stringify(cont.body.system)).toContain(CONTINUE_INSTRUCTION);
    });
  }

  it('a cut after the finish_reason needs no second call: the stream just ends well-formed', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { stream: streamOf('All', ' done.'), thenError: 'reset' });
    const res = await gw.chat({ model: 'gpt', messages: user(), stream: true }, auth);
    const events = await readEvents(res);
    await gw.settle();
    expect(textOf(events)).toBe('All done.');
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.some((e) => typeof e === 'object' && e.error)).toBe(false);
    expect(gw.upstream.callsTo('anthropic.test')).toHaveLength(0);
  });

  it('a Claude stream cut mid-answer retries on the group\'s other deployment, and the usage chunk adds up both calls', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on(FIRST, cutClaude(['Once', ' upon'], 4));
    gw.upstream.on(SECOND, { stream: claudeStream('msg_rest', [' a time.'], { input: 60, output: 4 }), noDone: true });
    const res = await gw.chat({ model: 'claude', messages: user(), stream: true, stream_options: { include_usage: true } }, auth);
    const events = await readEvents(res);
    expect(textOf(events)).toBe('Once upon a time.');
    const objects = events.filter((e) => typeof e === 'object');
    expect(new Set(objects.map((e) => e.id)).size).toBe(1);
    expect(events.filter((e) => e === '[DONE]')).toHaveLength(1);
    const usage = objects.find((e) => e.usage)?.usage;
    // The first call's usage is estimated (it was cut before its message_delta): its prompt, and "Once upon" (9 chars).
    expect(usage.prompt_tokens).toBeGreaterThan(60);
    expect(usage.completion_tokens).toBe(4 + Math.ceil('Once upon'.length / 4));
    expect(gw.upstream.callsTo(SECOND)[0].body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Once upon' });
  });

  it('trailing whitespace leaves the prefill (Anthropic refuses it), and is not sent twice', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on(FIRST, cutClaude(['Once '], 3));
    gw.upstream.on(SECOND, { stream: claudeStream('msg_rest', [' upon', ' a time.']), noDone: true });
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true }, auth));
    expect(textOf(events)).toBe('Once upon a time.');
    expect(gw.upstream.callsTo(SECOND)[0].body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Once' });
  });

  it('a tool-call stream cut gives the error event, as with stream_failure: error', async () => {
    const gw = testGateway(CONFIG);
    const call = { ...chunk(null), choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }] }, finish_reason: null }] };
    gw.upstream.on('openai.test', { stream: [streamOf('Let me check.')[1], call], thenError: 'reset' });
    const events = await readEvents(await gw.chat({ model: 'gpt', messages: user(), stream: true }, auth));
    expect(events.at(-1).error).toBeDefined();
    expect(events).not.toContain('[DONE]');
    expect(gw.upstream.callsTo('anthropic.test')).toHaveLength(0);
  });

  it('n > 1 is not continued: the error event', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { stream: streamOf('The', ' quick').slice(0, 2), thenError: 'reset' });
    const events = await readEvents(await gw.chat({ model: 'gpt', messages: user(), stream: true, n: 2 }, auth));
    expect(events.at(-1).error.code).toBe('connection_error');
    expect(gw.upstream.callsTo('anthropic.test')).toHaveLength(0);
  });

  it('by default (stream_failure: error) a cut ends with the error event and no second call', async () => {
    const gw = testGateway(`${MODELS}\nrouter_settings: { fallbacks: [{ gpt: [claude] }] }\n`);
    gw.upstream.on('openai.test', { stream: streamOf('The', ' quick').slice(0, 2), thenError: 'reset' });
    const events = await readEvents(await gw.chat({ model: 'gpt', messages: user(), stream: true }, auth));
    expect(textOf(events)).toBe('The');
    expect(events.at(-1).error.code).toBe('connection_error');
    expect(gw.upstream.callsTo('anthropic.test')).toHaveLength(0);
  });

  it('with no deployment able to continue (no fallback takes a prefill), the error event as before', async () => {
    const gw = testGateway(`${MODELS}\nrouter_settings: { stream_failure: continue }\n`);
    gw.upstream.on('openai.test', { stream: streamOf('The', ' quick').slice(0, 2), thenError: 'reset' });
    const events = await readEvents(await gw.chat({ model: 'gpt', messages: user(), stream: true }, auth));
    expect(events.at(-1).error.code).toBe('connection_error');
    expect(gw.upstream.calls).toHaveLength(1);
  });

  it('a continuation that is itself cut ends with the error event (one continuation chain)', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on(FIRST, cutClaude(['Once'], 3));
    gw.upstream.on(SECOND, cutClaude([' upon'], 3));
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true }, auth));
    expect(textOf(events)).toBe('Once upon');
    expect(events.at(-1).error).toBeDefined();
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('stream_failure takes error or continue; anything else is refused with its key path', () => {
    expect(() => new Router({ model_list: [{ model_name: 'm', litellm_params: { model: 'openai/x' } }], stream_failure: 'retry' as never })).toThrow(
      /stream_failure: expected one of error, continue, got "retry"/,
    );
  });
});

describe('stream_failure: continue, what is booked', () => {
  it('one record: the continuation named, usage and cost of both calls added up', async () => {
    const upstream = new FakeUpstream();
    const records: RequestLog[] = [];
    const router = new Router(
      {
        model_list: [
          { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: FIRST, order: 1 }, model_info: { id: 'claude-1', input_cost_per_token: 0.001, output_cost_per_token: 0.002 } },
          { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: SECOND, order: 2 }, model_info: { id: 'claude-2', input_cost_per_token: 0.001, output_cost_per_token: 0.002 } },
        ],
        stream_failure: 'continue',
      },
      { fetch: upstream.fetch, callbacks: [{ name: 'test', onSuccess: (l) => void records.push({ ...l }), onFailure: (l) => void records.push({ ...l }) }] },
    );
    upstream.on(FIRST, cutClaude(['Once'], 3));
    upstream.on(SECOND, { stream: claudeStream('msg_rest', [' upon a time.'], { input: 50, output: 5 }), noDone: true });
    const work: Promise<unknown>[] = [];
    const body = { model: 'claude', messages: user(), stream: true, stream_options: { include_usage: true } };
    const res = await router.completion(body, { waitUntil: (p) => void work.push(p) });
    if (res.kind !== 'stream') throw new Error('expected a stream');
    await new Response(res.stream).text();
    await Promise.all(work);
    await Promise.all(work);
    expect(records).toHaveLength(1);
    const [r] = records;
    expect(r.ok).toBe(true);
    expect(r.continuedFrom).toBe('claude-1');
    expect(r.deploymentId).toBe('claude-2');
    expect(r.attempts).toBe(2);
    const firstPrompt = Math.ceil(JSON.stringify(user()).length / 4);
    expect(r.usage).toEqual({ prompt_tokens: firstPrompt + 50, completion_tokens: 1 + 5, total_tokens: firstPrompt + 1 + 55, prompt_tokens_details: { cached_tokens: 0 } });
    expect(r.cost).toBeCloseTo((firstPrompt + 50) * 0.001 + 6 * 0.002, 9);
  });
});

describe('stream_failure: continue, Messages and Responses (translated streams)', () => {
  it('Messages: an OpenAI stream cut mid-answer continues on Claude; the Anthropic SDK gets one message', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { stream: streamOf('The', ' quick', ' brown').slice(0, 3), thenError: 'reset' });
    gw.upstream.on(FIRST, { stream: claudeStream('msg_rest', [' brown', ' fox.']), noDone: true });
    const stream = anthropic(gw).messages.stream({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'Say it' }] });
    const events: string[] = [];
    stream.on('streamEvent', (e) => void events.push(e.type));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'The quick brown fox.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(events.filter((t) => t === 'message_start')).toHaveLength(1);
    expect(events.at(-1)).toBe('message_stop');
  });

  for (const [where, sent] of [
    ['the first event', 3],
    ['a middle event', 4],
    ['the last event', 5],
  ] as Array<[string, number]>) {
    it(`Responses: a Claude stream cut after ${where} continues on the group's other deployment; the OpenAI SDK gets one response`, async () => {
      const WHOLE = ['Once', ' upon', ' a time.'];
      const gw = testGateway(CONFIG);
      // message_start, content_block_start, then the deltas: `sent` events in all.
      gw.upstream.on(FIRST, cutClaude(WHOLE, sent));
      gw.upstream.on(SECOND, { stream: claudeStream('msg_rest', WHOLE.slice(sent - 2)), noDone: true });
      const stream = openai(gw).responses.stream({ model: 'claude', input: 'Tell me a story' });
      const types: string[] = [];
      for await (const e of stream) types.push(e.type);
      const response = await stream.finalResponse();
      expect(response.output_text).toBe(WHOLE.join(''));
      expect(response.status).toBe('completed');
      expect(types.filter((t) => t === 'response.created')).toHaveLength(1);
      expect(types.at(-1)).toBe('response.completed');
    });
  }
});
