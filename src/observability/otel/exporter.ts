// The `otel` callback: each sampled request's spans, gathered per isolate and exported in one OTLP/HTTP POST
// per window through waitUntil. A collector that is down, answers an error or hangs (10 s) costs the batch,
// counted as lost; nothing is retried, so nothing piles up.
import type { RequestLog, RouterCallback } from '../events';
import type { Loss } from '../loss';
import { within } from '../loss';
import { Batcher } from '../../utils/batcher';
import type { OtelTarget } from './config';
import { otlpJson, otlpProtobuf } from './otlp';
import type { Span, SpanOptions } from './spans';
import { spansOf } from './spans';
import { sampled } from './traceparent';

export interface OtelOptions extends SpanOptions {
  target: OtelTarget;
  fetch: typeof fetch;
  loss: Loss;
  on: { success: boolean; failure: boolean };
  flushMs?: number;
  timeoutMs?: number;
}

/** Spans per export: well within collectors' default 4 MiB request limit. */
const MAX_SPANS = 512;

export function otelCallback(opts: OtelOptions): RouterCallback {
  const { target } = opts;
  const resource = { attributes: target.resource };
  const send = async (spans: Span[]) => {
    if (target.kind === 'console') return console.log(otlpJson(spans, resource));
    const json = target.protocol === 'http/json';
    const timeoutMs = opts.timeoutMs ?? 10_000;
    try {
      const res = await within(
        timeoutMs,
        opts.fetch(target.url, {
          method: 'POST',
          signal: AbortSignal.timeout(timeoutMs),
          headers: { ...target.headers, 'content-type': json ? 'application/json' : 'application/x-protobuf' },
          body: json ? otlpJson(spans, resource) : otlpProtobuf(spans, resource),
        }),
        'OTLP collector',
      );
      await res.body?.cancel();
      if (!res.ok) throw new Error(`OTLP collector answered ${res.status}`);
    } catch (e) {
      await opts.loss.count('otel', spans.length, String(e));
    }
  };
  const batcher = new Batcher<Span>('otel', send, opts.flushMs ?? 50, MAX_SPANS);
  const record = async (log: RequestLog) => {
    if (!log.trace || !sampled(log.trace)) return;
    await Promise.all(spansOf(log, opts).map((s) => batcher.add(s)));
  };
  return {
    name: 'otel',
    wantsContent: opts.content,
    onSuccess: opts.on.success ? record : undefined,
    onFailure: opts.on.failure ? record : undefined,
  };
}
