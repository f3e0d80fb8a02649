// The spend log callback: each request's row, gathered per isolate and sent once per window, never on the
// request path. Through a Cloudflare Queue (SPEND_QUEUE) when bound, whose consumer writes big batches into D1
// (consumer.ts); straight into D1 (SPEND_DB) otherwise. A failed or hung send is dropped and counted, not retried
// here (the queue retries its own deliveries).
import type { RequestLog, RouterCallback } from '../observability/events';
import type { Loss } from '../observability/loss';
import { within } from '../observability/loss';
import { Batcher } from '../utils/batcher';
import type { RowOptions, SpendRow } from './row';
import { spendRow } from './row';
import { insertRows, purgeIfDue } from './store';

export interface SpendSink {
  /** Messages are JSON arrays of rows, as text. */
  queue?: Queue<string>;
  db?: D1Database;
}

/** A queue message holds 128 KB; rows are grouped into messages below that. */
const MESSAGE_CHARS = 100_000;
const SEND_TIMEOUT_MS = 10_000;

export function spendLogCallback(sink: SpendSink, row: RowOptions, loss: Loss, retentionMs: number, flushMs = 50): RouterCallback {
  const send = async (rows: SpendRow[]) => {
    try {
      await within(SEND_TIMEOUT_MS, deliver(sink, rows, retentionMs), 'spend log sink');
    } catch (e) {
      await loss.count('spend_logs', rows.length, String(e));
    }
  };
  const batcher = new Batcher<SpendRow>('spend_logs', send, flushMs, 500);
  const record = (log: RequestLog) => batcher.add(spendRow(log, row));
  return { name: 'spend_logs', wantsContent: row.content, onSuccess: record, onFailure: record };
}

async function deliver(sink: SpendSink, rows: SpendRow[], retentionMs: number): Promise<void> {
  if (!sink.queue) {
    await insertRows(sink.db!, rows);
    return purgeIfDue(sink.db!, retentionMs, Date.now());
  }
  // Each row is serialised once, into messages of JSON text: cheaper to send than objects to clone.
  const messages: string[] = [];
  let current = '';
  for (const r of rows) {
    const text = JSON.stringify(r);
    if (current && current.length + text.length > MESSAGE_CHARS) {
      messages.push(`[${current}]`);
      current = '';
    }
    current += current ? `,${text}` : text;
  }
  messages.push(`[${current}]`);
  await Promise.all(messages.map((body) => sink.queue!.send(body, { contentType: 'text' })));
}
