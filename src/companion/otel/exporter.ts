// The `otel` callback: each sampled request's record, gathered per isolate and exported as spans in one OTLP/HTTP
// POST per window (a second) through waitUntil; the spans are encoded there, from the records, never per request. A collector that is down, answers an error or hangs (10 s) costs the batch,
// counted as lost; nothing is retried, so nothing piles up.
import type { RequestLog, RouterCallback } from '../events';
import type { Loss } from '../loss';
import { within } from '../loss';
import { Batcher } from '../../utils/batcher';
import type { OtelTarget } from './config';
import { otlpJson, otlpProtobuf } from './otlp';
import type { SpanOptions } from './spans';
import { sampled } from './traceparent';

export interface OtelOptions extends SpanOptions {
  target: OtelTarget;
  fetch: typeof fetch;
  loss: Loss;
  on: { success: boolean; failure: boolean };
  flushMs?: number;
  timeoutMs?: number;
}

/** Requests per export (a span each, and one per attempt): well within collectors' default 4 MiB request limit. */
const MAX_REQUESTS = 500;
/** One export a second per isolate at most (the SDKs' batch processor waits 5 s): a subrequest is the costly part. */
const FLUSH_MS = 1000;

export function otelCallback(opts: OtelOptions): RouterCallback {
  const { target } = opts;
  const resource = target.resource;
  const send = async (logs: RequestLog[]) => {
    if (target.kind === 'console') return console.log(otlpJson(logs, resource, opts));
    const json = target.protocol === 'http/json';
    const timeoutMs = opts.timeoutMs ?? 10_000;
    try {
      const res = await within(
        timeoutMs,
        opts.fetch(target.url, {
          method: 'POST',
          signal: AbortSignal.timeout(timeoutMs),
          headers: { ...target.headers, 'content-type': json ? 'application/json' : 'application/x-protobuf' },
          body: json ? otlpJson(logs, resource, opts) : otlpProtobuf(logs, resource, opts),
        }),
        'OTLP collector',
      );
      await res.body?.cancel();
      if (!res.ok) throw new Error(`OTLP collector answered ${res.status}`);
    } catch (e) {
      await opts.loss.count('otel', logs.reduce((n, l) => n + 1 + l.tries.length, 0), String(e));
    }
  };
  const batcher = new Batcher<RequestLog>('otel', send, opts.flushMs ?? FLUSH_MS, MAX_REQUESTS);
  const record = (log: RequestLog) => (log.trace && sampled(log.trace) ? batcher.add(log) : undefined);
  return {
    name: 'otel',
    wantsContent: opts.content,
    onSuccess: opts.on.success ? record : undefined,
    onFailure: opts.on.failure ? record : undefined,
  };
}
