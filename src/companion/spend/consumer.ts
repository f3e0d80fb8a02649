// The SPEND_QUEUE consumer: every message of a batch (entries from many isolates) made into rows and written into
// D1 in one transaction; a failed write is retried by the queue with backoff, then dropped and counted.
import type { Loss } from '../observability/loss';
import type { SpendEntry } from './entry';
import { spendRow } from './row';
import { insertRows, purgeIfDue } from './store';

/** wrangler.toml's max_retries for the consumer, plus the first delivery. */
export const MAX_DELIVERIES = 4;

export async function consumeSpendBatch(batch: MessageBatch<string>, db: D1Database, retentionMs: number, loss: Loss | undefined, now = Date.now()): Promise<void> {
  try {
    await insertRows(db, batch.messages.flatMap(rowsOf));
    batch.ackAll();
  } catch (e) {
    for (const m of batch.messages) {
      if (m.attempts >= MAX_DELIVERIES) {
        m.ack();
        await loss?.count('spend_logs', rowsOf(m).length, String(e));
      } else m.retry({ delaySeconds: 2 ** m.attempts });
    }
    return;
  }
  await purgeIfDue(db, retentionMs, now);
}

/** A message's rows: the writer sends a JSON array of entries. */
const rowsOf = (m: Message<string>) => (JSON.parse(m.body) as SpendEntry[]).map(spendRow);
