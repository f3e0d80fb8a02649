// Spans of a queue batch's traced entries, exported in OTLP/HTTP POSTs of up to 500 requests each. A collector
// that is down, answers an error or hangs (10 s) costs those spans, counted as lost; the queue message is not
// retried for it (its rows are written), so nothing piles up.
import type { SpendEntry } from '../../spend/entry';
import type { Loss } from '../loss';
import { postWithin } from '../loss';
import type { OtelTarget } from './config';
import { otlpJson, otlpProtobuf } from './otlp';
import type { SpanOptions } from './spans';

/** Requests per export (a span each, and one per attempt): well within collectors' default 4 MiB request limit. */
const MAX_REQUESTS = 500;

export async function exportSpans(entries: SpendEntry[], target: OtelTarget, opts: SpanOptions, loss: Loss, fetcher: typeof fetch = (input, init) => fetch(input, init), timeoutMs = 10_000): Promise<void> {
  for (let i = 0; i < entries.length; i += MAX_REQUESTS) {
    const part = entries.slice(i, i + MAX_REQUESTS);
    if (target.kind === 'console') {
      console.log(otlpJson(part, target.resource, opts));
      continue;
    }
    const json = target.protocol === 'http/json';
    try {
      const res = await postWithin(fetcher, timeoutMs, 'OTLP collector', target.url, {
        headers: { ...target.headers, 'content-type': json ? 'application/json' : 'application/x-protobuf' },
        body: json ? otlpJson(part, target.resource, opts) : otlpProtobuf(part, target.resource, opts),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`OTLP collector answered ${res.status}`);
    } catch (e) {
      await loss.count(part.reduce((n, l) => n + 1 + l.tries.length, 0), String(e));
    }
  }
}
