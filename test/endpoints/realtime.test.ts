// GET /v1/realtime: the client's WebSocket bridged to the deployment's, authenticated before any dialling (a
// header, or the browser's `openai-insecure-api-key.` subprotocol), usage from response.done booked as spend.
import { describe, expect, it } from 'vitest';
import { testGateway } from '../helpers/gateway';

const MASTER = 'sk-master-rt-0000';
const CONFIG = `
model_list:
  - { model_name: rt, litellm_params: { model: openai/gpt-4o-realtime-preview, api_key: sk-oa-provider-123456, api_base: https://openai.test/v1 }, model_info: { mode: realtime, input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }
  - { model_name: az-rt, litellm_params: { model: azure/my-realtime, api_key: az-provider-key-123456, api_base: https://res.openai.azure.com }, model_info: { mode: realtime } }
  - { model_name: chat, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-provider-123456, api_base: https://openai.test/v1 }, model_info: { mode: chat } }
general_settings: { master_key: ${MASTER} }
`;

/** A realtime upstream: records each dial, answers every client message with a response.done carrying usage. */
function realtimeUpstream() {
  const dials: Array<{ url: string; headers: Record<string, string> }> = [];
  const received: string[] = [];
  let closed: number | undefined;
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input as RequestInfo, init);
    dials.push({ url: req.url, headers: Object.fromEntries(req.headers) });
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.send(JSON.stringify({ type: 'session.created', session: { id: 'sess_1' } }));
    server.addEventListener('message', (e) => {
      received.push(e.data as string);
      server.send(JSON.stringify({ type: 'response.done', response: { id: 'resp_1', status: 'completed', usage: { total_tokens: 150, input_tokens: 100, output_tokens: 50 } } }));
    });
    server.addEventListener('close', (e) => (closed = e.code));
    return new Response(null, { status: 101, webSocket: client });
  };
  return { fetch: fetch as typeof globalThis.fetch, dials, received, closed: () => closed };
}

const nextMessage = (ws: WebSocket) => new Promise<any>((resolve) => ws.addEventListener('message', (e) => resolve(JSON.parse(e.data as string)), { once: true }));

describe('GET /v1/realtime', () => {
  it('bridges a browser-style session authenticated by subprotocol, and books response.done usage as the key\'s spend', async () => {
    const up = realtimeUpstream();
    const gw = testGateway(CONFIG, { fetch: up.fetch });
    const made = await (await gw.request('/key/generate', { method: 'POST', json: { models: ['rt'] }, headers: { authorization: `Bearer ${MASTER}` } })).json<any>();
    const res = await gw.request('/v1/realtime?model=rt', {
      headers: { upgrade: 'websocket', 'sec-websocket-protocol': `realtime, openai-insecure-api-key.${made.key}, openai-beta.realtime-v1` },
    });
    expect(res.status).toBe(101);
    expect(res.headers.get('sec-websocket-protocol')).toBe('realtime');
    const ws = res.webSocket!;
    ws.accept();
    expect((await nextMessage(ws)).type).toBe('session.created');
    const done = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'response.create' }));
    expect((await done).response.usage.total_tokens).toBe(150);
    ws.close(1000, 'bye');
    await new Promise((r) => setTimeout(r, 50));
    expect(up.closed()).toBe(1000);
    expect(up.received).toEqual([JSON.stringify({ type: 'response.create' })]);
    expect(up.dials[0].url).toBe('https://openai.test/v1/realtime?model=gpt-4o-realtime-preview');
    expect(up.dials[0].headers.authorization).toBe('Bearer sk-oa-provider-123456');
    expect(JSON.stringify(up.dials[0].headers)).not.toContain(made.key);
    await gw.settle();
    const info = await (await gw.request(`/key/info?key=${made.key}`, { headers: { authorization: `Bearer ${MASTER}` } })).json<any>();
    expect(info.info.spend).toBeCloseTo(100 * 0.001 + 50 * 0.002);
  });

  it('dials Azure at its realtime URL with api-key', async () => {
    const up = realtimeUpstream();
    const gw = testGateway(CONFIG, { fetch: up.fetch });
    const res = await gw.request('/v1/realtime?model=az-rt', { headers: { upgrade: 'websocket', authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    res.webSocket!.close(1000);
    expect(up.dials[0].url).toBe('https://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=my-realtime');
    expect(up.dials[0].headers['api-key']).toBe('az-provider-key-123456');
  });

  it('refuses without a key, without an upgrade, and for a group of another mode, dialling nothing', async () => {
    const up = realtimeUpstream();
    const gw = testGateway(CONFIG, { fetch: up.fetch });
    expect((await gw.request('/v1/realtime?model=rt', { headers: { upgrade: 'websocket' } })).status).toBe(401);
    expect((await gw.request('/v1/realtime?model=rt', { headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.sk-wrong-0000' } })).status).toBe(401);
    expect((await gw.request('/v1/realtime?model=rt', { headers: { authorization: `Bearer ${MASTER}` } })).status).toBe(426);
    const wrong = await gw.request('/v1/realtime?model=chat', { headers: { upgrade: 'websocket', authorization: `Bearer ${MASTER}` } });
    expect(wrong.status).toBe(400);
    expect(up.dials).toHaveLength(0);
  });
});
