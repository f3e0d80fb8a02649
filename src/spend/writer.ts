// The gateway's part of spend logs and traces: each request's record, gathered per isolate and sent to
// SPEND_QUEUE once per window (a second), never on the request path; the entries are made from the records
// there, not per request. The companion Worker consumes the queue: rows into D1, spans to the collector. A
// failed or hung send is dropped and counted, not retried here (the queue retries its own deliveries).
import type { RequestLog, RouterCallback } from '../observability/events';
import { Batcher } from '../utils/batcher';
import type { EntryOptions, Envelope, SpendEntry } from './entry';
import { spendEntry } from './entry';

/** A queue message holds 128 KB; a window's entries are halved until each part fits. */
const MESSAGE_BYTES = 120_000;
const utf8 = new TextEncoder();

export interface WriterOptions extends EntryOptions {
  spend?: Envelope['spend'];
  otel?: Envelope['otel'];
}

/** flushMs: one window a second per isolate at most, as metrics: a queue send is a subrequest, the costly part. */
export function spendLogCallback(queue: Queue<string>, opts: WriterOptions, count: (dropped: number) => unknown, flushMs = 1000): RouterCallback {
  const { spend, otel } = opts;
  // What the queue refused (full, or down) is counted here, and logged at most once a minute by the Batcher.
  const send = async (logs: RequestLog[]) => {
    try {
      const deployments: Envelope['deployments'] = {};
      // Without spend logs, only the requests traced (otel on) travel.
      const entries = logs.filter((log) => spend || log.trace).map((log) => spendEntry(log, opts, deployments));
      const text = (part: SpendEntry[]) => JSON.stringify({ spend, otel, deployments, entries: part } satisfies Envelope);
      await Promise.all(fit(entries, text).map((body) => queue.send(body, { contentType: 'text' })));
    } catch (e) {
      await count(logs.length);
      throw e;
    }
  };
  const batcher = new Batcher<RequestLog>('spend_logs', send, flushMs, 500);
  const record = (log: RequestLog) => batcher.add(log);
  return { name: 'spend_logs', wantsContent: opts.content, onSuccess: record, onFailure: record };
}

/** The entries as JSON texts that each fit a queue message (an entry alone always does: its bodies are cut). */
function fit(entries: SpendEntry[], text: (part: SpendEntry[]) => string): string[] {
  const t = text(entries);
  if (entries.length < 2 || utf8.encode(t).length <= MESSAGE_BYTES) return [t];
  const half = entries.length >> 1;
  return [...fit(entries.slice(0, half), text), ...fit(entries.slice(half), text)];
}
