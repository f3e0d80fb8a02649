import { describe, expect, it } from 'vitest';
import type { RelayOutcome } from '../../src/stream/relay';
import { relayStream } from '../../src/stream/relay';
import { chunk, piecewise as body, sse, streamOf } from '../helpers/fake-upstream';

async function relay(text: string) {
  let outcome: RelayOutcome | undefined;
  const stream = await relayStream(body(text), { startedAt: 0, now: () => 5, idleTimeoutMs: 1000, abort: () => {}, onEnd: (o) => (outcome = o) });
  const out = await new Response(stream).text();
  return { out, outcome: outcome! };
}

describe('relayStream', () => {
  it('passes the bytes through untouched and measures the content when no usage comes', async () => {
    const text = sse(...streamOf('Hel', 'lo "wor\\ld"', ' ünï'), 'data: [DONE]\n\n');
    const { out, outcome } = await relay(text);
    expect(out).toBe(text);
    expect(outcome).toMatchObject({ ok: true, cancelled: false, usage: undefined });
    // JSON-escaped as sent: "Hel" + "lo \"wor\\ld\"" + " ünï"
    expect(outcome.contentChars).toBe(3 + JSON.stringify('lo "wor\\ld"').length - 2 + 4);
  });

  it('takes the usage chunk when the upstream sends one', async () => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    const { outcome } = await relay(sse(chunk('a'), { ...chunk(null, 'stop'), usage: null }, { ...chunk(null), choices: [], usage }, 'data: [DONE]\n\n'));
    expect(outcome.usage).toEqual(usage);
  });

  it('turns an in-band error after the first byte into an error event and a failed outcome', async () => {
    const { out, outcome } = await relay(sse(chunk('a'), { error: { message: 'overloaded', code: 'server_error' } }));
    expect(out).toContain('"error"');
    expect(out).not.toContain('[DONE]');
    expect(outcome.ok).toBe(false);
  });
});
