// router_settings.stream_failure: continue on streams passed through in their own API: Messages to an Anthropic
// deployment (Claude Code's path), Responses to an OpenAI one. A cut after the first byte goes on at the next
// deployment with the text so far as a prefill, its events spliced into the client's stream: one message (one
// message_start, the text in one block, summed usage, one message_stop) or one response (one response.created,
// one item, consistent sequence numbers, one response.completed with the whole text), through the official SDKs.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { sse } from '../fixtures/anthropic';
import { type TestGateway, testGateway } from '../helpers/gateway';

const MASTER = 'sk-master-1234';
const FIRST = 'https://first.anthropic.test';
const SECOND = 'https://second.anthropic.test';
const claude = (id: string, base: string, order: number, extra = '') =>
  `  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-123456, api_base: ${base}, order: ${order} }, model_info: { id: ${id}${extra} } }`;
const CONFIG = `
model_list:
${claude('claude-1', FIRST, 1)}
${claude('claude-2', SECOND, 2)}
  - { model_name: prefilling, litellm_params: { model: openai/deepseek-chat, api_key: sk-ds-123456, api_base: https://prefill.test/v1 }, model_info: { id: ds-1, supports_assistant_prefill: true } }
general_settings: { master_key: ${MASTER} }
router_settings:
  stream_failure: continue
`;

type Usage = { input: number; output: number };

/** Anthropic's stream of a text answer, as its reference documents it (a ping after the first block's start). */
function claudeStream(id: string, pieces: string[], usage: Usage = { input: 40, output: 7 }, before: string[] = []): string[] {
  return [
    sse({
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } },
    }),
    ...before,
    sse({ type: 'content_block_start', index: before.length ? 1 : 0, content_block: { type: 'text', text: '' } }),
    sse({ type: 'ping' }),
    ...pieces.map((text) => sse({ type: 'content_block_delta', index: before.length ? 1 : 0, delta: { type: 'text_delta', text } })),
    sse({ type: 'content_block_stop', index: before.length ? 1 : 0 }),
    sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } }),
    sse({ type: 'message_stop' }),
  ];
}

const sdkFetch = (gw: TestGateway) => async (url: RequestInfo | URL, init?: RequestInit) => {
  const u = new URL(String(url));
  return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers as Record<string, string>, body: init?.body as string, signal: init?.signal ?? undefined });
};
const anthropic = (gw: TestGateway) => new Anthropic({ apiKey: MASTER, baseURL: 'http://gateway.test', maxRetries: 0, fetch: sdkFetch(gw) });
const openai = (gw: TestGateway) => new OpenAI({ apiKey: MASTER, baseURL: 'http://gateway.test/v1', maxRetries: 0, fetch: sdkFetch(gw) });

async function message(gw: TestGateway, body: Partial<Anthropic.MessageStreamParams> = {}) {
  const stream = anthropic(gw).messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Tell me a story' }], ...body });
  const types: string[] = [];
  stream.on('streamEvent', (e) => void types.push(e.type));
  const final = await stream.finalMessage();
  await gw.settle();
  return { final, types };
}

describe('stream_failure: continue, Messages passed through to Anthropic', () => {
  const WHOLE = ['Once', ' upon', ' a', ' time.'];
  // message_start, content_block_start, ping, then the deltas: `sent` events reach the client before the cut.
  for (const [where, sent] of [
    ['the first event (message_start)', 1],
    ['a middle event', 5],
    ['the last text delta', 7],
  ] as Array<[string, number]>) {
    it(`a cut after ${where} goes on at the group's other deployment: the SDK's finalMessage() is one message, one text`, async () => {
      const gw = testGateway(CONFIG);
      const told = Math.max(0, sent - 3);
      gw.upstream.on(FIRST, { stream: claudeStream('msg_first', WHOLE).slice(0, sent), thenError: 'reset', noDone: true });
      gw.upstream.on(SECOND, { stream: claudeStream('msg_rest', WHOLE.slice(told), { input: 60, output: 4 }), noDone: true });
      const { final, types } = await message(gw);

      expect(final.content).toEqual([{ type: 'text', text: WHOLE.join('') }]);
      expect(final.id).toBe('msg_first');
      expect(final.stop_reason).toBe('end_turn');
      expect(types.filter((t) => t === 'message_start')).toHaveLength(1);
      expect(types.filter((t) => t === 'message_stop')).toHaveLength(1);
      expect(types.filter((t) => t === 'content_block_start')).toHaveLength(1);
      expect(types).not.toContain('ping');
      // Both calls' usage: the cut one's as far as it came (its message_start), the rest's whole.
      expect(final.usage.input_tokens).toBe(40 + 60);
      expect(final.usage.output_tokens).toBe(1 + 4);
      // The rest was asked for as Anthropic continues one: the text so far as the assistant's turn.
      const [rest] = gw.upstream.callsTo(SECOND);
      const prefill = WHOLE.slice(0, told).join('');
      expect(rest.body.messages.at(-1)).toEqual(prefill ? { role: 'assistant', content: prefill } : { role: 'user', content: 'Tell me a story' });
    });
  }

  it('trailing whitespace leaves the prefill (Anthropic refuses it) and is not sent twice', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on(FIRST, { stream: claudeStream('msg_first', ['Once ']).slice(0, 4), thenError: 'reset', noDone: true });
    gw.upstream.on(SECOND, { stream: claudeStream('msg_rest', [' upon', ' a time.']), noDone: true });
    const { final } = await message(gw);
    expect(final.content).toEqual([{ type: 'text', text: 'Once upon a time.' }]);
    expect(gw.upstream.callsTo(SECOND)[0].body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Once' });
  });

  it('a cut after message_delta (only message_stop missing) ends the message with no second call', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on(FIRST, { stream: claudeStream('msg_first', WHOLE).slice(0, -1), thenError: 'reset', noDone: true });
    const { final, types } = await message(gw);
    expect(final.content).toEqual([{ type: 'text', text: WHOLE.join('') }]);
    expect(types.at(-1)).toBe('message_stop');
    expect(gw.upstream.callsTo(SECOND)).toHaveLength(0);
  });

  it('after a finished thinking block, the text goes on with no thinking asked (Anthropic refuses a prefill with it)', async () => {
    const gw = testGateway(CONFIG);
    const thinking = [
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'A story, then.' } }),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' } }),
      sse({ type: 'content_block_stop', index: 0 }),
    ];
    gw.upstream.on(FIRST, { stream: claudeStream('msg_first', WHOLE, undefined, thinking).slice(0, 9), thenError: 'reset', noDone: true });
    gw.upstream.on(SECOND, { stream: claudeStream('msg_rest', WHOLE.slice(2)), noDone: true });
    const { final } = await message(gw, { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 2048 });
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'A story, then.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
      { type: 'text', text: WHOLE.join('') },
    ]);
    const [rest] = gw.upstream.callsTo(SECOND);
    expect(rest.body.thinking).toBeUndefined();
    expect(rest.body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Once upon' });
  });

  it('the rest from a deployment that speaks chat comes through the translator, spliced the same way', async () => {
    // One Anthropic deployment, no retries: the rest comes from the fallback, which speaks chat and takes a prefill.
    const gw = testGateway(CONFIG.replace(`${claude('claude-2', SECOND, 2)}\n`, '') + '  num_retries: 0\n  fallbacks: [{ claude: [prefilling] }]\n');
    gw.upstream.on(FIRST, { stream: claudeStream('msg_first', WHOLE).slice(0, 4), thenError: 'reset', noDone: true });
    gw.upstream.on('prefill.test', {
      stream: [' upon', ' a', ' time.'].map((content, i) => ({ id: 'chatcmpl-ds', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [{ index: 0, delta: { content }, finish_reason: i === 2 ? 'stop' : null }] })),
      usage: { prompt_tokens: 50, completion_tokens: 3, total_tokens: 53 },
    });
    const { final, types } = await message(gw);
    expect(final.content).toEqual([{ type: 'text', text: WHOLE.join('') }]);
    expect(types.filter((t) => t === 'message_start')).toHaveLength(1);
    expect(final.usage.input_tokens).toBe(40 + 50);
    expect(final.usage.output_tokens).toBe(1 + 3);
    const [rest] = gw.upstream.callsTo('prefill.test');
    expect(rest.body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Once' });
  });

  it('a tool_use block already begun: the error event, as with stream_failure: error', async () => {
    const gw = testGateway(CONFIG);
    const tool = sse({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} } });
    gw.upstream.on(FIRST, { stream: [claudeStream('msg_first', [])[0], tool], thenError: 'reset', noDone: true });
    await expect(message(gw)).rejects.toThrow(/connection/i);
    expect(gw.upstream.callsTo(SECOND)).toHaveLength(0);
  });

  it('a cut inside a thinking block: the error event (no prefill continues thinking)', async () => {
    const gw = testGateway(CONFIG);
    const thinking = sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
    const delta = sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'A story' } });
    gw.upstream.on(FIRST, { stream: [claudeStream('msg_first', [])[0], thinking, delta], thenError: 'reset', noDone: true });
    await expect(message(gw, { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 2048 })).rejects.toThrow(/connection/i);
    expect(gw.upstream.callsTo(SECOND)).toHaveLength(0);
  });

  it('a client that leaves during the continuation aborts the continuation\'s upstream', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on(FIRST, { stream: claudeStream('msg_first', WHOLE).slice(0, 4), thenError: 'reset', noDone: true });
    // The rest sends its start and first text, then pauses a minute before each next event.
    const rest = claudeStream('msg_rest', WHOLE.slice(1));
    gw.upstream.on(SECOND, { stream: [rest.slice(0, 4).join(''), ...rest.slice(4)], noDone: true, chunkDelayMs: 60_000 });
    const res = await gw.request('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': MASTER, 'anthropic-version': '2023-06-01' },
      json: { model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'Tell me a story' }], stream: true },
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes(' upon')) {
      const r = await reader.read();
      if (r.done) break;
      text += decoder.decode(r.value);
    }
    expect(text).toContain(' upon');
    const [call] = gw.upstream.callsTo(SECOND);
    expect(call.aborted()).toBe(false);
    const started = Date.now();
    await reader.cancel();
    expect(call.aborted()).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    await gw.settle();
  });
});

/** OpenAI's stream of a text answer, event by event as its reference documents it (test/fixtures/responses.ts). */
function responsesStream(id: string, itemId: string, pieces: string[], usage = { input: 36, output: 9 }): string[] {
  const base = { id, object: 'response', created_at: 1741476542, model: 'gpt-4.1-2025-04-14', output: [], usage: null, status: 'in_progress' };
  const text = pieces.join('');
  const part = { type: 'output_text', text: '', annotations: [] };
  const item = (status: string, content: unknown[]) => ({ id: itemId, type: 'message', status, role: 'assistant', content });
  const done = item('completed', [{ ...part, text }]);
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const u = { input_tokens: usage.input, input_tokens_details: { cached_tokens: 0 }, output_tokens: usage.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: usage.input + usage.output };
  let n = 0;
  const ev = (data: { type: string; [k: string]: unknown }) => `event: ${data.type}\ndata: ${JSON.stringify({ ...data, sequence_number: n++ })}\n\n`;
  return [
    ev({ type: 'response.created', response: base }),
    ev({ type: 'response.in_progress', response: base }),
    ev({ type: 'response.output_item.added', output_index: 0, item: item('in_progress', []) }),
    ev({ type: 'response.content_part.added', ...at, part }),
    ...pieces.map((delta) => ev({ type: 'response.output_text.delta', ...at, delta, logprobs: [] })),
    ev({ type: 'response.output_text.done', ...at, text, logprobs: [] }),
    ev({ type: 'response.content_part.done', ...at, part: { ...part, text } }),
    ev({ type: 'response.output_item.done', output_index: 0, item: done }),
    ev({ type: 'response.completed', response: { ...base, status: 'completed', output: [done], usage: u } }),
  ];
}

const GPT = (extra = '') => `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4.1, api_key: sk-oa-123456, api_base: https://openai.test/v1, order: 1 }, model_info: { id: gpt-1 } }
${extra}${claude('claude-1', FIRST, 1)}
general_settings: { master_key: ${MASTER} }
router_settings:
  stream_failure: continue
  fallbacks: [{ gpt: [claude] }]
`;

async function response(gw: TestGateway, body: Partial<OpenAI.Responses.ResponseCreateParamsStreaming> = {}) {
  const stream = openai(gw).responses.stream({ model: 'gpt', input: 'Tell me a story', ...body });
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const e of stream) events.push(e);
  const final = await stream.finalResponse();
  await gw.settle();
  return { final, events };
}

/** One response as a client sees it: sequence numbers 0, 1, 2, ...; one created, one completed; one text item. */
function expectOneResponse(events: OpenAI.Responses.ResponseStreamEvent[], itemId: string) {
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  expect(events.filter((e) => e.type === 'response.created')).toHaveLength(1);
  expect(events.filter((e) => e.type === 'response.completed')).toHaveLength(1);
  expect(events.at(-1)!.type).toBe('response.completed');
  const deltas = events.filter((e) => e.type === 'response.output_text.delta') as OpenAI.Responses.ResponseTextDeltaEvent[];
  expect(new Set(deltas.map((e) => `${e.item_id}/${e.output_index}/${e.content_index}`))).toEqual(new Set([`${itemId}/0/0`]));
}

describe('stream_failure: continue, Responses passed through to OpenAI', () => {
  const WHOLE = ['Once', ' upon', ' a', ' time.'];
  const ITEM = 'msg_67ccd2bf17f0819081ff3bb2cf6508e6';
  // response.created, response.in_progress, output_item.added, content_part.added, then the deltas.
  for (const [where, sent] of [
    ['the first event (response.created)', 1],
    ['a middle event', 6],
    ['the last event (all but response.completed)', 11],
  ] as Array<[string, number]>) {
    it(`a cut after ${where} goes on at the fallback's Claude (translated): the SDK's finalResponse() is one response`, async () => {
      const gw = testGateway(GPT());
      const told = Math.min(WHOLE.length, Math.max(0, sent - 4));
      gw.upstream.on('openai.test', { stream: responsesStream('resp_first', ITEM, WHOLE).slice(0, sent), thenError: 'reset', noDone: true });
      gw.upstream.on(FIRST, { stream: claudeStream('msg_rest', WHOLE.slice(told), { input: 60, output: 4 }), noDone: true });
      const { final, events } = await response(gw);

      expect(final.id).toBe('resp_first');
      expect(final.output_text).toBe(WHOLE.join(''));
      expect(final.output).toHaveLength(1);
      expect(final.status).toBe('completed');
      expectOneResponse(events, told > 0 ? ITEM : final.output[0].id!);
      expect(final.output[0]).toMatchObject({ type: 'message', status: 'completed', content: [{ type: 'output_text', text: WHOLE.join('') }] });
      // The rest's usage added to the cut call's (estimated: it was cut before its own count).
      expect(final.usage!.input_tokens).toBeGreaterThan(60);
      expect(final.usage!.output_tokens).toBeGreaterThanOrEqual(told > 0 ? 5 : 4);
      const [rest] = gw.upstream.callsTo(FIRST);
      const prefill = WHOLE.slice(0, told).join('');
      if (prefill) expect(rest.body.messages.at(-1)).toEqual({ role: 'assistant', content: prefill });
    });
  }

  it('a deployment marked supports_assistant_prefill continues in the Responses API itself; a follow-up sees the whole answer', async () => {
    const second = '  - { model_name: gpt, litellm_params: { model: openai/gpt-4.1, api_key: sk-oa-123456, api_base: https://prefill.test/v1, order: 2 }, model_info: { id: gpt-2, supports_assistant_prefill: true } }\n';
    const gw = testGateway(GPT(second));
    gw.upstream.on('openai.test', { stream: responsesStream('resp_first', ITEM, WHOLE).slice(0, 6), thenError: 'reset', noDone: true }, { json: { id: 'resp_next', object: 'response', status: 'completed', output: [], usage: null } });
    gw.upstream.on('prefill.test', { stream: responsesStream('resp_rest', 'msg_rest', [' a', ' time.'], { input: 50, output: 3 }), noDone: true });
    const { final, events } = await response(gw);
    expect(final.id).toBe('resp_first');
    expect(final.output_text).toBe(WHOLE.join(''));
    expect(final.output).toMatchObject([{ id: ITEM, type: 'message', content: [{ type: 'output_text', text: WHOLE.join('') }] }]);
    expectOneResponse(events, ITEM);
    const done = events.find((e) => e.type === 'response.output_text.done') as OpenAI.Responses.ResponseTextDoneEvent;
    expect(done.text).toBe(WHOLE.join(''));
    // The cut call's usage is estimated (cut before its count), added to the rest's own.
    expect(final.usage!.input_tokens).toBeGreaterThan(50);
    expect(final.usage!.output_tokens).toBeGreaterThan(3);
    const [rest] = gw.upstream.callsTo('prefill.test');
    expect(rest.body.input.slice(-2)).toEqual([
      { role: 'system', content: expect.stringContaining('cut off') },
      { role: 'assistant', content: 'Once upon' },
    ]);
    // The spliced answer is kept under the client's id: a follow-up on it carries the whole text.
    await openai(gw).responses.create({ model: 'gpt', input: 'And then?', previous_response_id: 'resp_first' });
    const follow = gw.upstream.callsTo('openai.test')[1];
    expect(follow.body.previous_response_id).toBeUndefined();
    expect(JSON.stringify(follow.body.input)).toContain(WHOLE.join(''));
  });

  it('a function call already begun: the error event', async () => {
    const gw = testGateway(GPT());
    const call = `event: response.output_item.added\ndata: ${JSON.stringify({ type: 'response.output_item.added', output_index: 0, item: { id: 'fc_1', type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'get_weather', arguments: '' }, sequence_number: 2 })}\n\n`;
    gw.upstream.on('openai.test', { stream: [...responsesStream('resp_first', ITEM, []).slice(0, 2), call], thenError: 'reset', noDone: true });
    await expect(response(gw)).rejects.toThrow(/connection/i);
    expect(gw.upstream.callsTo(FIRST)).toHaveLength(0);
  });
});
