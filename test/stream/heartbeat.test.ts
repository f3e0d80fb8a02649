// Issue 27, finding 5: while the upstream is silent, the relay writes a heartbeat about every second (so workerd,
// which notices a departed client only when it writes, notices within about a second). The official SDKs skip it:
// driven here through streams that pause long enough for heartbeats, on every API, passed through and translated.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { textStream } from '../fixtures/anthropic';
import { textResponseStream } from '../fixtures/responses';
import { chunk, streamOf } from '../helpers/fake-upstream';
import type { TestGateway } from '../helpers/gateway';
import { testGateway } from '../helpers/gateway';

const MASTER = 'sk-master-heartbeat-01';
const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4.1, api_key: sk-oa-heartbeat-01, api_base: https://openai.test/v1 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-heartbeat-01, api_base: https://anthropic.test } }
router_settings: { num_retries: 0 }
general_settings: { master_key: ${MASTER} }
`;
const PAUSE_MS = 1400;
const COMMENT = ': ping\n\n';
const ANTHROPIC_PING = 'event: ping\ndata: {"type":"ping"}\n\n';

const sse = (events: unknown[]) => events.map((e) => (typeof e === 'string' ? e : `data: ${JSON.stringify(e)}\n\n`));
const chatEvents = () => [...sse(streamOf('Hel', 'lo')), 'data: [DONE]\n\n'];

/** An upstream that sends `events`, pausing PAUSE_MS before the one at `at`: whichever API it is asked. */
function pausingUpstream(events: string[], at = 2): typeof fetch {
  return async () => {
    const enc = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (i === at) await new Promise((r) => setTimeout(r, PAUSE_MS));
        if (i < events.length) c.enqueue(enc.encode(events[i++]));
        else c.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
}

/** The gateway's fetch for an SDK, keeping a copy of each raw body the SDK read. */
function through(gw: TestGateway, raw: Array<Promise<string>>): typeof fetch {
  return async (url, init) => {
    const u = new URL(String(url));
    const res = await gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    const [mine, copy] = res.body!.tee();
    raw.push(new Response(copy).text());
    return new Response(mine, res);
  };
}

const openai = (gw: TestGateway, raw: Array<Promise<string>>) => new OpenAI({ apiKey: MASTER, baseURL: 'http://gateway.test/v1', maxRetries: 0, fetch: through(gw, raw) });
const anthropic = (gw: TestGateway, raw: Array<Promise<string>>) => new Anthropic({ apiKey: MASTER, baseURL: 'http://gateway.test', maxRetries: 0, fetch: through(gw, raw) });
const count = (text: string, what: string) => text.split(what).length - 1;

describe('heartbeats while the upstream is silent', () => {
  it('chat: `: ping` comments between the events, bytes otherwise as the upstream sent them; the OpenAI SDK skips them', async () => {
    const events = chatEvents();
    const gw = testGateway(CONFIG, { fetch: pausingUpstream(events) });
    const raw: Array<Promise<string>> = [];
    let text = '';
    for await (const c of await openai(gw, raw).chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: 'Hi' }], stream: true })) {
      text += c.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hello');
    const seen = await raw[0];
    expect(count(seen, COMMENT)).toBeGreaterThanOrEqual(1);
    expect(seen.split(COMMENT).join('')).toBe(events.join(''));
  });

  it('Messages passed through: Anthropic `ping` events; the Anthropic SDK skips them', async () => {
    const gw = testGateway(CONFIG, { fetch: pausingUpstream([...textStream], 3) });
    const raw: Array<Promise<string>> = [];
    const final = await anthropic(gw, raw).messages.stream({ model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello!' }]);
    const seen = await raw[0];
    expect(count(seen, 'event: ping\n')).toBeGreaterThan(count(textStream.join(''), 'event: ping\n'));
    expect(seen).not.toContain(COMMENT);
  });

  it('Messages translated from chat: the heartbeat is Anthropic `ping` there too', async () => {
    const gw = testGateway(CONFIG, { fetch: pausingUpstream(chatEvents()) });
    const raw: Array<Promise<string>> = [];
    const final = await anthropic(gw, raw).messages.stream({ model: 'gpt', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello' }]);
    const seen = await raw[0];
    expect(count(seen, ANTHROPIC_PING)).toBeGreaterThanOrEqual(1);
    expect(seen).not.toContain(COMMENT);
  });

  it('Responses passed through and translated: `: ping` comments; the OpenAI SDK skips them', async () => {
    for (const [model, events, answer] of [
      ['gpt', [...textResponseStream], 'Hi there!'],
      ['claude', [...textStream], 'Hello!'],
    ] as const) {
      const gw = testGateway(CONFIG, { fetch: pausingUpstream([...events], 4) });
      const raw: Array<Promise<string>> = [];
      const final = await openai(gw, raw).responses.stream({ model, input: 'Hi' }).finalResponse();
      expect(final.output_text, model).toBe(answer);
      expect(count(await raw[0], COMMENT), model).toBeGreaterThanOrEqual(1);
    }
  });

  it('none while the upstream keeps sending', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { stream: [chunk('a'), chunk('b')], chunkDelayMs: 200 });
    const res = await gw.request('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${MASTER}` }, json: { model: 'gpt', stream: true, messages: [{ role: 'user', content: 'Hi' }] } });
    expect(await res.text()).not.toContain(COMMENT);
  });
});
