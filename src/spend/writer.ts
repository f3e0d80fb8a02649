// The gateway's part of spend logs and traces: each request's record, gathered per isolate and sent to
// SPEND_QUEUE once per window (a second), never on the request path; the entries are made from the records
// there, not per request. The companion Worker consumes the queue: rows into D1, spans to the collector, traces
// to Langfuse, failures to Sentry. A
// failed or hung send is dropped and counted, not retried here (the queue retries its own deliveries).
import type { RequestLog, RouterCallback } from '../observability/events';
import { Batcher } from '../utils/batcher';
import type { EntryOptions, Envelope } from './entry';
import { spendEntry } from './entry';

/** A queue message holds 128 KB: a window's entries go in as many messages as that takes. */
const MESSAGE_BYTES = 120_000;
const utf8 = new TextEncoder();

export interface WriterOptions extends EntryOptions {
  spend?: Envelope['spend'];
  /** The exporters the companion runs on the entries. */
  exports: Pick<Envelope, 'otel' | 'langfuse' | 'sentry'>;
}

/** flushMs: one window a second per isolate at most, as metrics: a queue send is a subrequest, the costly part. */
export function spendLogCallback(queue: Queue<string>, opts: WriterOptions, count: (dropped: number) => unknown, flushMs = 1000): RouterCallback {
  const { spend, exports } = opts;
  // What the queue refused (full, or down) is counted here, and logged at most once a minute by the Batcher.
  const send = async (logs: RequestLog[]) => {
    try {
      const deployments: Envelope['deployments'] = {};
      // Each entry serialised once, then packed into messages.
      const texts = logs.map((log) => JSON.stringify(spendEntry(log, opts, deployments)));
      const tail = `],${JSON.stringify({ spend, ...exports, deployments } satisfies Omit<Envelope, 'entries'>).slice(1)}`;
      // A new message when the next entry would not fit (the first opens one; none when no entry travels).
      const parts: string[][] = [];
      let bytes = MESSAGE_BYTES;
      for (const t of texts) {
        const n = utf8.encode(t).length + 1;
        if ((bytes += n) > MESSAGE_BYTES) {
          parts.push([]);
          bytes = tail.length + n;
        }
        parts.at(-1)!.push(t);
      }
      await Promise.all(parts.map((p) => queue.send(`{"entries":[${p.join()}${tail}`, { contentType: 'text' })));
    } catch (e) {
      await count(logs.length);
      throw e;
    }
  };
  const batcher = new Batcher<RequestLog>('spend_logs', send, flushMs, 500);
  const record = (log: RequestLog) => batcher.add(log);
  return { name: 'spend_logs', wantsContent: opts.content, onSuccess: record, onFailure: record };
}
