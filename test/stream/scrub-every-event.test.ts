// Issue 27, finding 3: an upstream that echoes the caller's key in an event the relay does not classify for that
// API (an `event: error` with {"type":"error","message":...}, a chat-style {"error":...} on a Messages or Responses
// stream, `event: response.failed`, or just its content) must not hand it to the client: every event is scrubbed.
import { describe, expect, it } from 'vitest';
import { textStream } from '../fixtures/anthropic';
import { textResponseStream } from '../fixtures/responses';
import { chunk } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';
import { clientView, findLeaks } from '../helpers/leaks';

const OPENAI_KEY = 'sk-proj-Qw8Er7+Ty6/Ui5=Op4As3Df2Gh1Jk0';
const ANTHROPIC_KEY = 'sk-ant-api03-Lz1Kx2Jc3+Hv4/Gb5=Fn6Dm7Sa8Pq9';
const MASTER = 'sk-master-5c8e2f1a9b';
const SECRETS = [OPENAI_KEY, ANTHROPIC_KEY, MASTER];

const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4.1, api_key: "${OPENAI_KEY}", api_base: https://openai.test/v1 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: "${ANTHROPIC_KEY}", api_base: https://anthropic.test } }
router_settings: { num_retries: 0 }
general_settings: { master_key: ${MASTER} }
`;
const auth = { authorization: `Bearer ${MASTER}` };

const named = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The shapes an upstream echoes a key in, each a whole SSE event. */
const echoes = (key: string): Array<[string, string]> => [
  ['event: error, {"type":"error","message"}', named('error', { type: 'error', message: `invalid x-api-key ${key}` })],
  ['a chat-style {"error":...}', `data: ${JSON.stringify({ error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error' } })}\n\n`],
  ['event: response.failed, message at the top', named('response.failed', { type: 'response.failed', message: `Bearer ${key} revoked` })],
  ['the key URL-encoded in an unknown event', named('notice', { type: 'notice', url: `https://x.test/?api_key=${encodeURIComponent(key)}` })],
  ['the key in Basic auth base64', named('notice', { type: 'notice', auth: `Basic ${btoa(`user:${key}`)}` })],
];

/** The key in the answer's own text, in each upstream's content event. */
const inContent = {
  chat: (key: string) => `data: ${JSON.stringify(chunk(`the key is ${key}`))}\n\n`,
  messages: (key: string) => named('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `the key is ${key}` } }),
  responses: (key: string) =>
    named('response.output_text.delta', { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: `the key is ${key}`, logprobs: [], sequence_number: 4 }),
};

/** Each API's own stream, with the echo after its first events (the client has bytes already) or first of all. */
const upstreams = {
  chat: (echo: string, at: number) => {
    const events = [chunk('Hel'), chunk('lo'), chunk(null, 'stop')].map((c) => `data: ${JSON.stringify(c)}\n\n`);
    events.splice(at, 0, echo);
    return [...events, 'data: [DONE]\n\n'];
  },
  messages: (echo: string, at: number) => {
    const events = [...textStream];
    events.splice(at === 0 ? 0 : 3, 0, echo);
    return events;
  },
  responses: (echo: string, at: number) => {
    const events = [...textResponseStream];
    events.splice(at === 0 ? 0 : 4, 0, echo);
    return events;
  },
};

const routes = [
  { name: 'chat', path: '/v1/chat/completions', model: 'gpt', upstream: 'chat', key: OPENAI_KEY, body: { messages: [{ role: 'user', content: 'Hi' }] } },
  { name: 'Messages passed through', path: '/v1/messages', model: 'claude', upstream: 'messages', key: ANTHROPIC_KEY, body: { max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] } },
  { name: 'Messages translated', path: '/v1/messages', model: 'gpt', upstream: 'chat', key: OPENAI_KEY, body: { max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] } },
  { name: 'Responses passed through', path: '/v1/responses', model: 'gpt', upstream: 'responses', key: OPENAI_KEY, body: { input: 'Hi' } },
  { name: 'Responses translated', path: '/v1/responses', model: 'claude', upstream: 'messages', key: ANTHROPIC_KEY, body: { input: 'Hi' } },
] as const;

describe('no event a stream relays carries a secret, whatever its shape', () => {
  for (const route of routes) {
    it(`${route.name}: every echo shape, mid-stream and first`, async () => {
      const shapes = [...echoes(route.key), ['in the content', inContent[route.upstream](route.key)] as const];
      for (const [shape, echo] of shapes) {
        for (const at of shape === 'in the content' ? [1] : [1, 0]) {
          const gw = testGateway(CONFIG);
          gw.upstream.on(() => true, { stream: upstreams[route.upstream](echo, at), noDone: true });
          const res = await gw.request(route.path, { method: 'POST', headers: auth, json: { model: route.model, stream: true, ...route.body } });
          const seen = await clientView(res);
          expect(gw.upstream.calls.length, `${shape} at ${at}`).toBeGreaterThan(0);
          expect(findLeaks(seen, SECRETS), `${shape} at ${at}:\n${seen}`).toEqual([]);
        }
      }
    });
  }

  it('a key in a content delta is cut out; the rest of the answer is untouched', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on(() => true, { stream: [chunk('your key: '), chunk(OPENAI_KEY), chunk(' (keep it safe)'), chunk(null, 'stop')] });
    const res = await gw.request('/v1/chat/completions', { method: 'POST', headers: auth, json: { model: 'gpt', stream: true, messages: [{ role: 'user', content: 'Hi' }] } });
    const text = await res.text();
    expect(findLeaks(text, SECRETS)).toEqual([]);
    const content = text
      .split('\n\n')
      .filter((b) => b.startsWith('data: {'))
      .map((b) => JSON.parse(b.slice(6)).choices[0].delta.content ?? '')
      .join('');
    expect(content).toBe('your key: *** (keep it safe)');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
