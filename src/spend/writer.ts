// The spend log callback: each request's record, gathered per isolate and sent to SPEND_QUEUE once per window (a second),
// never on the request path; the entries are made from the records there, not per request. The queue's
// consumer turns them into rows and writes big batches into D1 (consumer.ts). A failed or hung send is dropped
// and counted, not retried here (the queue retries its own deliveries).
import type { RequestLog, RouterCallback } from '../observability/events';
import type { Loss } from '../observability/loss';
import { within } from '../observability/loss';
import { Batcher } from '../utils/batcher';
import type { EntryOptions, SpendEntry } from './entry';
import { spendEntry } from './entry';

/** A queue message holds 128 KB; entries go 100 to a message (about 70 KB without stored prompts). */
const MESSAGE_BYTES = 120_000;
const PER_MESSAGE = 100;
const SEND_TIMEOUT_MS = 10_000;
/** One window a second per isolate at most: a queue send is a subrequest, the costly part. */
const FLUSH_MS = 1000;
const utf8 = new TextEncoder();

export function spendLogCallback(queue: Queue<string>, opts: EntryOptions, loss: Loss, flushMs = FLUSH_MS): RouterCallback {
  const send = async (logs: RequestLog[]) => {
    try {
      const entries = logs.map((log) => spendEntry(log, opts));
      const bodies: string[] = [];
      for (let i = 0; i < entries.length; i += PER_MESSAGE) bodies.push(...messages(entries.slice(i, i + PER_MESSAGE)));
      await within(SEND_TIMEOUT_MS, Promise.all(bodies.map((body) => queue.send(body, { contentType: 'text' }))), 'SPEND_QUEUE');
    } catch (e) {
      await loss.count('spend_logs', logs.length, String(e));
    }
  };
  const batcher = new Batcher<RequestLog>('spend_logs', send, flushMs, 500);
  const record = (log: RequestLog) => batcher.add(log);
  return { name: 'spend_logs', wantsContent: opts.content, onSuccess: record, onFailure: record };
}

/** The entries as JSON texts that fit a queue message: one, unless prompts are stored. */
function messages(entries: SpendEntry[]): string[] {
  const text = JSON.stringify(entries);
  // Below a third of the limit in characters, the UTF-8 bytes are within it too: no need to count them.
  if (text.length * 3 <= MESSAGE_BYTES || utf8.encode(text).length <= MESSAGE_BYTES) return [text];
  if (entries.length > 1) {
    const half = entries.length >> 1;
    return [...messages(entries.slice(0, half)), ...messages(entries.slice(half))];
  }
  // One entry too big even alone (its stored bodies, once escaped): sent without them.
  return [JSON.stringify([{ ...entries[0], messages: '{"truncated":true}', response: '{"truncated":true}' }])];
}
