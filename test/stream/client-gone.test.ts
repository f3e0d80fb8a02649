// Issue 17, finding 2: a streaming client that leaves frees its upstream connection and its in-flight slot at
// once, not when the upstream's next chunk happens to arrive (here: a minute later).
import { describe, expect, it } from 'vitest';
import { streamOf } from '../helpers/fake-upstream';
import type { TestGateway } from '../helpers/gateway';
import { testGateway, user } from '../helpers/gateway';

// least-busy picks in the RouterState object, so the object's in-flight count is the one routing reads.
const CONFIG = `
model_list:
  - model_name: slow
    litellm_params: { model: openai/gpt-4o, api_key: sk-client-gone-123456, api_base: https://slow.test/v1 }
    model_info: { id: slow-1 }
router_settings: { routing_strategy: least-busy }
`;

async function deployment(gw: TestGateway) {
  const state = await (await gw.request('/v1/router/state')).json<any>();
  return state.groups.slow.deployments[0] as { in_flight: number; fails_this_minute: number };
}

/** A stream whose upstream sends its first chunk, then pauses a minute before each next one. */
async function pausedStream(gw: TestGateway, signal?: AbortSignal) {
  gw.upstream.on('/chat/completions', { stream: streamOf('a', 'b', 'c'), chunkDelayMs: 60_000 });
  const res = await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'slow', messages: user(), stream: true }, signal });
  const reader = res.body!.getReader();
  await reader.read();
  return reader;
}

describe('a client that leaves mid-stream', () => {
  it('runs with request.signal on: workerd only reports a disconnect through it with enable_request_signal', () => {
    expect((globalThis as unknown as { Cloudflare: { compatibilityFlags: Record<string, boolean> } }).Cloudflare.compatibilityFlags.enable_request_signal).toBe(true);
  });

  it('cancelling the body aborts the upstream at once and frees the in-flight slot', async () => {
    const gw = testGateway(CONFIG);
    const reader = await pausedStream(gw);
    expect((await deployment(gw)).in_flight).toBe(1);
    const started = Date.now();
    await reader.cancel();
    expect(gw.upstream.calls[0].aborted()).toBe(true);
    await gw.settle();
    const d = await deployment(gw);
    expect(d.in_flight).toBe(0);
    expect(d.fails_this_minute).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a disconnect reported through request.signal, with no read pending, ends the stream at once (not a deployment failure)', async () => {
    const gw = testGateway(CONFIG);
    const client = new AbortController();
    await pausedStream(gw, client.signal);
    expect((await deployment(gw)).in_flight).toBe(1);
    const started = Date.now();
    client.abort();
    expect(gw.upstream.calls[0].aborted()).toBe(true);
    await gw.settle();
    const d = await deployment(gw);
    expect(d.in_flight).toBe(0);
    expect(d.fails_this_minute).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
