// The done-when: 1,000 requests (streamed and not, four virtual keys and the master key, retries, cache
// hits), each found in /spend/logs with its key, tokens and cost, and each as one trace with its attempts in
// the OTLP export, decoded with the official definitions.
import { describe, expect, it } from 'vitest';
import { digestHex as sha256Hex } from '../../src/utils/digest';
import { chatCompletion, openAIError, streamOf } from '../helpers/fake-upstream';
import { readEvents } from '../helpers/gateway';
import type { KeyGateway } from '../keys/helpers';
import { keyGateway, MASTER } from '../keys/helpers';
import { decodeTraces } from '../observability/otlp-decode';
import { companionStub } from './helpers';

const IN = 0.00001;
const OUT = 0.00002;

const EXTRA = `
litellm_settings:
  callbacks: [otel]
  num_retries: 2
  cache: true
`;

interface Sent {
  id: string;
  traceId: string;
  keyHash: string;
  stream: boolean;
  cacheHit: boolean;
  flaky: boolean;
  prompt: number;
  completion: number;
}

describe('1,000 requests on record', () => {
  it('each is one spend log row with the right key, tokens and cost, and one trace with its attempts', async () => {
    const exports: Uint8Array[] = [];
    const failedOnce = new Set<string>();
    let gw: KeyGateway;
    const collector: typeof fetch = async (input, init) => {
      exports.push(init!.body as Uint8Array);
      return new Response('{}');
    };
    const fetchFn: typeof fetch = async (input, init) => {
      // A "flaky" request's first upstream call fails, so it is retried.
      const body = JSON.parse(String(init?.body ?? '{}'));
      const text: string = body.messages?.[0]?.content ?? '';
      if (text.startsWith('flaky') && !failedOnce.has(text)) {
        failedOnce.add(text);
        return new Response(JSON.stringify(openAIError(503, 'overloaded').json), { status: 503 });
      }
      return gw.upstream.fetch(input, init);
    };
    const queue = companionStub({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.test' }, { fetch: collector });
    gw = keyGateway({ fetch: fetchFn }, EXTRA, { SPEND_QUEUE: queue.SPEND_QUEUE, COMPANION: queue.COMPANION });
    gw.upstream.on((_url, body) => body?.stream === true, { stream: streamOf('a', 'b'), usage: { prompt_tokens: 8, completion_tokens: 3, total_tokens: 11 } });
    gw.upstream.on('/chat/completions', { json: chatCompletion('ok') });

    const keys = await Promise.all([0, 1, 2, 3].map((i) => gw.generate({ key_alias: `load-${i}` })));
    const callers = [...keys.map((k) => k.key), MASTER];
    const hashes = new Map(await Promise.all(callers.map(async (k) => [k, k === MASTER ? '' : await sha256Hex(k)] as const)));

    const sent: Sent[] = [];
    const one = async (i: number) => {
      const key = callers[i % callers.length];
      const stream = i % 4 === 1;
      // Every 10th request repeats an earlier one of the same key, answered from the cache.
      const repeat = !stream && i % 10 === 9 && i >= 20;
      const flaky = !stream && !repeat && i % 7 === 3;
      const content = repeat ? `same-${i % 5}` : `${flaky ? 'flaky' : 'req'}-${i}`;
      const body: Record<string, unknown> = { model: 'gpt-4o', messages: [{ role: 'user', content }] };
      if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
      const res = await gw.chat(body, { authorization: `Bearer ${key}` });
      expect(res.status).toBe(200);
      if (stream) await readEvents(res);
      else await res.json();
      sent.push({
        id: res.headers.get('x-litellm-call-id')!,
        traceId: res.headers.get('traceparent')!.split('-')[1],
        keyHash: hashes.get(key)!,
        stream,
        cacheHit: repeat,
        flaky,
        prompt: stream ? 8 : 10,
        completion: stream ? 3 : 5,
      });
    };
    // The cache's first answers for each repeated prompt, so that the repeats are hits.
    for (const k of callers) for (let j = 0; j < 5; j++) await gw.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: `same-${j}` }] }, { authorization: `Bearer ${k}` });
    for (let start = 0; start < 1000; start += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => one(start + j)));
    await gw.settle();
    expect(sent).toHaveLength(1000);

    // Spend logs: every request, by id, with its key, tokens and cost.
    const rows = new Map<string, any>();
    for (let page = 1; ; page++) {
      const res = await gw.admin(`/spend/logs/v2?page_size=100&page=${page}`);
      const body = await res.json<any>();
      for (const r of body.data) rows.set(r.request_id, r);
      if (page >= body.total_pages) break;
    }
    let hits = 0;
    for (const s of sent) {
      const r = rows.get(s.id);
      expect(r, s.id).toBeDefined();
      expect(r.api_key).toBe(s.keyHash);
      expect(r.status).toBe('success');
      expect(r.cache_hit).toBe(s.cacheHit ? 'True' : 'False');
      if (s.cacheHit) {
        hits++;
        expect(r.spend).toBe(0);
        continue;
      }
      expect([r.prompt_tokens, r.completion_tokens]).toEqual([s.prompt, s.completion]);
      expect(r.spend).toBeCloseTo(s.prompt * IN + s.completion * OUT, 12);
      expect(r.metadata.retries).toBe(s.flaky ? 1 : 0);
    }
    expect(hits).toBe(49);

    // Traces: one per request, its server span and one client span per attempt.
    const byTrace = new Map<string, ReturnType<typeof decodeTraces>['spans']>();
    for (const e of exports) for (const s of decodeTraces(e).spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    for (const s of sent) {
      const spans = byTrace.get(s.traceId);
      expect(spans, s.traceId).toBeDefined();
      const server = spans!.filter((x) => x.kind === 2);
      expect(server).toHaveLength(1);
      expect(server[0].attributes['litellm.request_id']).toBe(s.id);
      const attempts = spans!.filter((x) => x.kind === 3);
      expect(attempts).toHaveLength(s.cacheHit ? 0 : s.flaky ? 2 : 1);
      expect(attempts.every((a) => a.parentSpanId === server[0].spanId)).toBe(true);
    }
    // Batched: far fewer queue messages and exports than requests.
    expect(queue.sent.length).toBeLessThan(200);
    expect(exports.length).toBeLessThan(200);
  }, 180_000);
});
