// The SPEND_QUEUE consumer: every message of a batch (a window's entries from each gateway isolate) made into spend
// log rows, written into D1 in one transaction, and into spans, exported to the OTLP collector. A failed D1 write
// is retried by the queue with backoff, then dropped and counted; spans are exported once a message's rows are in
// (a redelivery would export them twice), and a failed export is counted, never retried.
import type { Envelope, SpendEntry } from '../spend/entry';
import { rememberSecrets } from '../security/scrub';
import type { CompanionEnv } from './env';
import { Loss } from './loss';
import { otelTarget } from './otel/config';
import { exportSpans } from './otel/exporter';
import { sampled } from './otel/ids';
import { durationMs } from '../utils/duration';
import type { SpendRow } from './spend/row';
import { spendRow } from './spend/row';
import { insertRows, purgeIfDue } from './spend/store';

/** wrangler.companion.toml's max_retries for the consumer, plus the first delivery. */
export const MAX_DELIVERIES = 4;
const DEFAULT_RETENTION_MS = 30 * 86_400_000;

export interface ConsumerDeps {
  /** Outbound fetch for the OTLP export (tests pass a fake). */
  fetch?: typeof fetch;
  now?: () => number;
  /** The OTLP export's time limit, ms (10 s). */
  otelTimeoutMs?: number;
}

/** The companion's losses, per sink: counted, and logged once a minute. */
export const losses = { spend_logs: new Loss('spend_logs'), otel: new Loss('otel') };

export async function consume(batch: MessageBatch<string>, env: CompanionEnv, deps: ConsumerDeps = {}): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  const envelopes: Envelope[] = [];
  for (const m of batch.messages) {
    try {
      envelopes.push(JSON.parse(m.body) as Envelope);
    } catch (e) {
      await losses.spend_logs.count(1, `a queue message that is not an envelope: ${String(e)}`);
    }
  }
  const rows: SpendRow[] = [];
  let retentionMs = DEFAULT_RETENTION_MS;
  for (const en of envelopes) {
    if (!en.spend) continue;
    retentionMs = (en.spend.retention && durationMs(en.spend.retention)) || DEFAULT_RETENTION_MS;
    for (const e of en.entries) rows.push(spendRow(e, en));
  }
  const db = env.SPEND_DB;
  if (rows.length && !db) await losses.spend_logs.count(rows.length, 'no SPEND_DB binding (wrangler.companion.toml)');
  else if (db && rows.length) {
    try {
      await insertRows(db, rows);
    } catch (e) {
      if (batch.messages.some((m) => m.attempts < MAX_DELIVERIES)) {
        for (const m of batch.messages) m.retry({ delaySeconds: 2 ** m.attempts });
        return;
      }
      await losses.spend_logs.count(rows.length, String(e));
    }
    await purgeIfDue(db, retentionMs, now);
  }
  await spans(envelopes, env, deps);
  batch.ackAll();
}

/** The traced entries of each envelope (sampled, and a success or failure as its callbacks list), exported. */
async function spans(envelopes: Envelope[], env: CompanionEnv, deps: ConsumerDeps): Promise<void> {
  const wanted = envelopes.filter((en) => en.otel);
  if (!wanted.length) return;
  const secret = (name: string) => (typeof env[name] === 'string' && env[name] !== '' ? (env[name] as string) : undefined);
  const { target, warning } = otelTarget(secret);
  for (const en of wanted) {
    const otel = en.otel!;
    const entries = en.entries.filter((e): e is SpendEntry & { trace: object } => !!e.trace && sampled(e.trace.flags) && (e.ok ? otel.success : otel.failure));
    if (!entries.length) continue;
    if (!target) {
      await losses.otel.count(entries.length, warning ?? 'no OTLP endpoint');
      continue;
    }
    if (target.kind === 'otlp') rememberSecrets(Object.values(target.headers));
    await exportSpans(entries, target, { content: otel.content, deployments: en.deployments }, losses.otel, deps.fetch, deps.otelTimeoutMs);
  }
}
