// Streamed Anthropic answers: its SSE events become OpenAI chat.completion.chunk events, then [DONE].
import { describe, expect, it } from 'vitest';
import { firstText, jsonToolStream, overloadedEvent, sse, streamStart, textStream, toolUseStream } from '../fixtures/anthropic';
import { readEvents, testGateway, user } from '../helpers/gateway';

const CLAUDE = `
model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-ant-test-secret-123456, api_base: https://anthropic.test }
    model_info: { id: an-1 }
router_settings: { num_retries: 0 }
`;

const stream = (events: string[], extra: Record<string, unknown> = {}) => ({ stream: events, noDone: true, ...extra });
const contentOf = (events: any[]) => events.filter((e) => e !== '[DONE]' && e.choices.length).map((e) => e.choices[0].delta.content ?? '').join('');

describe('anthropic/ streaming', () => {
  it('turns a text stream into chat.completion.chunk events ending with [DONE]', async () => {
    const gw = testGateway(CLAUDE);
    const res = await gw.chat({ model: 'claude', messages: user(), stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-litellm-model-id')).toBe('an-1');
    expect(gw.upstream.calls[0].body.stream).toBe(true);
    expect(gw.upstream.calls[0].body.stream_options).toBeUndefined();
    const events = await readEvents(res);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1);
    for (const c of chunks) {
      expect(c).toMatchObject({ id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', object: 'chat.completion.chunk', model: 'claude-sonnet-4-5-20250929' });
      expect(c.usage).toBeUndefined();
    }
    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    expect(contentOf(chunks)).toBe('Hello!');
    expect(chunks.at(-1).choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
  });

  it('adds the usage chunk when stream_options.include_usage is set', async () => {
    const gw = testGateway(CLAUDE);
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true, stream_options: { include_usage: true } }));
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.at(-2)).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [],
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 },
    });
    expect(events.at(-3).choices[0].finish_reason).toBe('stop');
  });

  it('maps max_tokens to finish_reason length', async () => {
    const gw = testGateway(CLAUDE);
    const cut = textStream.map((e) => e.replace('"stop_reason":"end_turn"', '"stop_reason":"max_tokens"'));
    gw.upstream.on('/v1/messages', stream(cut));
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true }));
    expect(events.at(-2).choices[0].finish_reason).toBe('length');
  });

  it('streams tool_use blocks as tool_call deltas: id and name first, then argument pieces', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', stream(toolUseStream));
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true }));
    const chunks = events.slice(0, -1);
    expect(contentOf(chunks)).toBe('Okay, let me check.');
    const deltas = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } });
    const args = (i: number) => deltas.filter((d) => d.index === i).map((d) => d.function.arguments).join('');
    expect(JSON.parse(args(0))).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(deltas.filter((d) => d.id).map((d) => [d.index, d.function.name])).toEqual([
      [0, 'get_weather'],
      [1, 'get_time'],
    ]);
    expect(JSON.parse(args(1))).toEqual({ tz: 'America/Los_Angeles' });
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams a response_format answer as content, finish_reason stop', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', stream(jsonToolStream));
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true, response_format: { type: 'json_object' } }));
    expect(JSON.parse(contentOf(events))).toEqual({ city: 'Paris' });
    expect(events.some((e) => e !== '[DONE]' && e.choices[0]?.delta.tool_calls)).toBe(false);
    expect(events.at(-2).choices[0].finish_reason).toBe('stop');
  });

  it('translates events split anywhere across network chunks', async () => {
    const gw = testGateway(CLAUDE);
    const text = toolUseStream.join('');
    const pieces = text.match(/[\s\S]{1,7}/g)!;
    gw.upstream.on('/v1/messages', stream(pieces));
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true, stream_options: { include_usage: true } }));
    expect(contentOf(events)).toBe('Okay, let me check.');
    expect(events.at(-2).usage.total_tokens).toBe(472 + 89);
    expect(events.at(-1)).toBe('[DONE]');
  });

  it("sends the client's first chunk before Anthropic has finished", async () => {
    const gw = testGateway(CLAUDE);
    // message_start to the first text delta at once, then each later event 10 s apart.
    gw.upstream.on('/v1/messages', stream([textStream.slice(0, 4).join(''), ...textStream.slice(4)], { chunkDelayMs: 10_000 }));
    const started = Date.now();
    const res = await gw.chat({ model: 'claude', messages: user(), stream: true });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('"role":"assistant"');
    expect(Date.now() - started).toBeLessThan(5_000);
    await reader.cancel();
    expect(gw.upstream.calls[0].aborted()).toBe(true);
  });

  it('an overloaded error before any content fails over unseen, as a ServiceUnavailableError', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: claude, litellm_params: { model: anthropic/claude-x, api_key: k-1, api_base: https://one.test } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-x, api_key: k-2, api_base: https://two.test } }
router_settings: { num_retries: 1 }
`);
    gw.upstream.on('/v1/messages', stream([streamStart, sse({ type: 'ping' }), overloadedEvent]), stream(textStream));
    const res = await gw.chat({ model: 'claude', messages: user(), stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('1');
    expect(contentOf(await readEvents(res))).toBe('Hello!');
  });

  it('an overloaded error with no deployment left answers 503 in OpenAI shape', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', stream([streamStart, overloadedEvent]));
    const res = await gw.chat({ model: 'claude', messages: user(), stream: true });
    expect(res.status).toBe(503);
    expect((await res.json<any>()).error).toMatchObject({ type: 'api_error', code: 'overloaded_error' });
  });

  it('classifies every in-band error type as its HTTP status would be', async () => {
    const table: Array<[string, string, number, string]> = [
      ['overloaded_error', 'Overloaded', 503, 'api_error'],
      ['rate_limit_error', 'slow down', 429, 'rate_limit_error'],
      ['api_error', 'Internal server error', 500, 'api_error'],
      ['invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum', 400, 'invalid_request_error'],
    ];
    for (const [type, message, status, clientType] of table) {
      const gw = testGateway(CLAUDE);
      gw.upstream.on('/v1/messages', stream([streamStart, sse({ type: 'error', error: { type, message } })]));
      const res = await gw.chat({ model: 'claude', messages: user(), stream: true });
      expect([type, res.status]).toEqual([type, status]);
      expect((await res.json<any>()).error).toMatchObject({ type: clientType, code: type, message: expect.stringContaining(message) });
    }
  });

  it('an error event after content ends the stream with an OpenAI error event, never [DONE]', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', stream([streamStart, ...firstText, overloadedEvent]));
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true }));
    expect(events).not.toContain('[DONE]');
    expect(contentOf(events.slice(0, -1))).toBe('Partial');
    expect(events.at(-1).error).toMatchObject({ type: 'api_error', code: 'overloaded_error', message: expect.stringContaining('Overloaded') });
  });

  it('a stream cut before message_stop ends with an error event', async () => {
    const gw = testGateway(CLAUDE);
    gw.upstream.on('/v1/messages', stream(textStream.slice(0, 5)));
    const events = await readEvents(await gw.chat({ model: 'claude', messages: user(), stream: true }));
    expect(events).not.toContain('[DONE]');
    expect(events.at(-1).error.code).toBe('stream_truncated');
  });
});
