// Issue 17, finding 1 (streams): what an upstream sends in a 200 stream in place of chunks (an in-band error
// event, a JSON body, an HTML page, lines that are not JSON) reaches the client classified and scrubbed,
// never as raw bytes.
import { afterEach, describe, expect, it } from 'vitest';
import { rememberSecrets } from '../../src/security/scrub';
import type { RelayOutcome } from '../../src/stream/relay';
import { relayStream } from '../../src/stream/relay';
import { chatCompletion, chunk, piecewise as body, sse, streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';
import { captureLogs, clientView, findLeaks } from '../helpers/leaks';

const OPENAI_KEY = 'sk-proj-Zx9Yw8Vu7+Ts6/Rq5=Po4Nm3Lk2Ji1';
const AZURE_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const SECRETS = [OPENAI_KEY, AZURE_KEY];

const CONFIG = `
model_list:
  - model_name: oa
    litellm_params: { model: openai/gpt-4o, api_key: "${OPENAI_KEY}", api_base: https://oa.test/v1 }
    model_info: { id: oa-1 }
  - model_name: az
    litellm_params: { model: azure/gpt-4o, api_key: ${AZURE_KEY}, api_base: https://res.openai.azure.com, api_version: "2024-10-21" }
    model_info: { id: az-1 }
router_settings: { num_retries: 0 }
litellm_settings: { set_verbose: true }
`;

const revoked = (key: string) => ({ error: { message: `Authorization: Bearer ${key} has been revoked`, type: 'invalid_request_error', code: 'invalid_api_key' } });

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => logs?.restore());

describe('relayStream: only whole, checked events go out', () => {
  rememberSecrets(SECRETS);

  it('an in-band error mid-stream becomes a scrubbed OpenAI error event; the content before it still arrives', async () => {
    let outcome: RelayOutcome | undefined;
    const text = sse(...streamOf('Hel', 'lo').slice(0, 3), revoked(OPENAI_KEY), 'data: [DONE]\n\n');
    const stream = await relayStream(body(text), { startedAt: 0, now: () => 5, idleTimeoutMs: 1000, abort: () => {}, onEnd: (o) => (outcome = o) });
    const out = await new Response(stream).text();
    expect(findLeaks(out, SECRETS)).toEqual([]);
    const events = out.split('\n\n').filter(Boolean).map((b) => JSON.parse(b.slice(6)));
    expect(events.slice(0, 3).map((e) => e.choices[0].delta.content).join('')).toBe('Hello');
    const err = events.at(-1).error;
    expect(Object.keys(err).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(err.message).toContain('revoked');
    expect(err.code).toBe('invalid_api_key');
    expect(out).not.toContain('[DONE]');
    expect(outcome).toMatchObject({ ok: false, cancelled: false });
  });

  it('a line that is not SSE, or data that is not JSON, after the first byte ends the stream with an error event', async () => {
    for (const bad of [`data: upstream proxy: Bearer ${OPENAI_KEY} denied\n\n`, `Bearer ${OPENAI_KEY}\n\n`]) {
      const stream = await relayStream(body(sse(chunk('a'), bad, chunk('b'), 'data: [DONE]\n\n')), {
        startedAt: 0, now: () => 5, idleTimeoutMs: 1000, abort: () => {}, onEnd: () => {},
      });
      const out = await new Response(stream).text();
      expect(findLeaks(out, SECRETS), bad).toEqual([]);
      expect(out).toContain('not JSON');
      expect(out).not.toContain('"b"');
      expect(out).not.toContain('[DONE]');
    }
  });

  it('keeps bytes untouched when events straddle reads', async () => {
    const text = sse(...streamOf('a', 'b', 'c'), 'data: [DONE]\n\n');
    const stream = await relayStream(body(text, 3), { startedAt: 0, now: () => 5, idleTimeoutMs: 1000, abort: () => {}, onEnd: () => {} });
    expect(await new Response(stream).text()).toBe(text);
  });
});

describe('a streamed request to an upstream that answers with something else', () => {
  const cases: Array<[string, (key: string) => Response]> = [
    ['an error event first', (key) => new Response(sse(revoked(key)), { headers: { 'content-type': 'text/event-stream' } })],
    ['a JSON error body with status 200', (key) => Response.json(revoked(key))],
    ['an HTML page with status 200', (key) => new Response(`<html><body>${'z'.repeat(480)}${key}</body></html>`, { headers: { 'content-type': 'text/html' } })],
    ['data lines that are not JSON', (key) => new Response(`data: denied for ${key}\n\n`, { headers: { 'content-type': 'text/event-stream' } })],
  ];
  for (const [what, answer] of cases) {
    for (const [model, key] of [['oa', OPENAI_KEY], ['az', AZURE_KEY]] as const) {
      it(`${what} (${model}): a classified error before the first byte, scrubbed, logged`, async () => {
        const gw = testGateway(CONFIG, { fetch: async () => answer(key) });
        logs = captureLogs();
        const res = await gw.chat({ model, messages: user(), stream: true });
        const seen = await clientView(res.clone());
        await gw.settle();
        logs.restore();
        expect(res.headers.get('content-type')).toContain('application/json');
        expect(res.status).toBeGreaterThanOrEqual(400);
        const err = (await res.json<any>()).error;
        expect(Object.keys(err).sort()).toEqual(['code', 'message', 'param', 'type']);
        expect(err.message).toContain(`deployment ${model}-1`);
        expect(findLeaks([seen, ...logs.lines].join('\n'), SECRETS)).toEqual([]);
        const line = logs.lines.find((l) => l.includes('"msg":"request"'));
        expect(line, 'a request log line').toBeDefined();
        expect(JSON.parse(line!)).toMatchObject({ level: 'error', model_id: `${model}-1`, stream: true });
      });
    }
  }

  it('a whole completion (an upstream that ignored stream: true) is an error without its content', async () => {
    const gw = testGateway(CONFIG, { fetch: async () => Response.json(chatCompletion('private answer text')) });
    const res = await gw.chat({ model: 'oa', messages: user(), stream: true });
    expect(res.status).toBe(500);
    const { error } = await res.json<any>();
    expect(error.message).toContain('a JSON body, not an event stream');
    expect(error.message).not.toContain('private answer text');
  });

  it('an in-band error after the first byte reaches the client scrubbed, and is logged (openai and azure)', async () => {
    for (const [model, key] of [['oa', OPENAI_KEY], ['az', AZURE_KEY]] as const) {
      const gw = testGateway(CONFIG);
      // The error event arrives in two reads, cut inside the key.
      const event = sse(revoked(key));
      const cut = event.indexOf(key) + 25;
      gw.upstream.on(() => true, { stream: [...streamOf('partial').slice(0, 2), event.slice(0, cut), event.slice(cut)], noDone: true });
      logs = captureLogs();
      const res = await gw.chat({ model, messages: user(), stream: true });
      expect(res.status).toBe(200);
      const text = await res.clone().text();
      const events = await readEvents(res);
      await gw.settle();
      logs.restore();
      expect(events.map((e) => e.choices?.[0]?.delta?.content ?? '').join('')).toBe('partial');
      expect(events.at(-1).error.message).toContain('revoked');
      expect(findLeaks([text, ...logs.lines].join('\n'), SECRETS), model).toEqual([]);
      expect(logs.lines.some((l) => l.includes('"msg":"request"') && l.includes('"level":"error"')), model).toBe(true);
    }
  });
});
