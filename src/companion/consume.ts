// The SPEND_QUEUE consumer: every message of a batch (a window's entries from each gateway isolate) made into spend
// log rows, written into D1 in one transaction, and exported: spans to the OTLP collector, traces to Langfuse,
// failures to Sentry. A failed D1 write is retried by the queue with backoff, then dropped and counted; exports
// run once a message's rows are in (a redelivery would export them twice), and a failed export is counted, never
// retried.
import type { Envelope, SpendEntry } from '../spend/entry';
import { rememberSecrets } from '../security/scrub';
import type { CompanionEnv } from './env';
import { Loss } from './loss';
import { otelTarget } from './otel/config';
import { exportSpans } from './otel/exporter';
import { sampled } from './otel/ids';
import { exportLangfuse } from './langfuse';
import { exportSentry } from './sentry';
import { secretsOf, wantedEntries, type Secret } from './exports';
import { durationMs } from '../utils/duration';
import { MetricsShards } from '../observability/shards';
import type { SpendRow } from './spend/row';
import { spendRow } from './spend/row';
import { insertRows, purgeIfDue } from './spend/store';

/** wrangler.companion.toml's max_retries for the consumer, plus the first delivery. */
export const MAX_DELIVERIES = 4;
const DEFAULT_RETENTION_MS = 30 * 86_400_000;

export interface ConsumerDeps {
  /** Outbound fetch for the exports (tests pass a fake). */
  fetch?: typeof fetch;
  now?: () => number;
  /** An export's time limit, ms (10 s). */
  otelTimeoutMs?: number;
  /** The gateway's metrics namespace (tests). */
  metricsNamespace?: string;
}

/** The companion's losses, per sink: counted, and logged once a minute. */
export const losses = { spend_logs: new Loss('spend_logs'), otel: new Loss('otel'), langfuse: new Loss('langfuse'), sentry: new Loss('sentry') };

export async function consume(batch: MessageBatch<string>, env: CompanionEnv, deps: ConsumerDeps = {}): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  const metrics = env.METRICS && new MetricsShards(env.METRICS, deps.metricsNamespace);
  const report = metrics && ((sink: string, n: number) => metrics.writer().record({ counters: { [`litellm_gateway_dropped_records{sink="${sink}"}`]: n }, histograms: {}, minutes: [], errors: [] }));
  for (const loss of Object.values(losses)) loss.report = report;
  const envelopes: (Envelope | undefined)[] = [];
  for (const m of batch.messages) {
    try {
      envelopes.push(JSON.parse(m.body) as Envelope);
    } catch (e) {
      envelopes.push(undefined);
      await losses.spend_logs.count(1, `a queue message that is not an envelope: ${String(e)}`);
    }
  }
  const rows = new Map<Message<string>, SpendRow[]>();
  let retentionMs = DEFAULT_RETENTION_MS;
  batch.messages.forEach((m, i) => {
    const en = envelopes[i];
    if (!en?.spend) return;
    retentionMs = (en.spend.retention && durationMs(en.spend.retention)) || DEFAULT_RETENTION_MS;
    rows.set(m, en.entries.map((e) => spendRow(e, en)));
  });
  const all = [...rows.values()].flat();
  const db = env.SPEND_DB;
  const retried = new Set<Message<string>>();
  if (all.length && !db) await losses.spend_logs.count(all.length, 'no SPEND_DB binding (wrangler.companion.toml)');
  else if (db && all.length) {
    try {
      await insertRows(db, all);
      await purgeIfDue(db, retentionMs, now);
    } catch (e) {
      for (const m of batch.messages) {
        if (m.attempts < MAX_DELIVERIES) {
          m.retry({ delaySeconds: 2 ** m.attempts });
          retried.add(m);
        } else {
          m.ack();
          await losses.spend_logs.count(rows.get(m)?.length ?? 0, String(e));
        }
      }
    }
  }
  // A message to be delivered again is exported then.
  const done = envelopes.filter((en, i): en is Envelope => !!en && !retried.has(batch.messages[i]));
  const secret = secretsOf(env);
  const fetcher = deps.fetch ?? ((input, init) => fetch(input, init));
  await Promise.all([
    spans(done, secret, deps),
    exportLangfuse(done, secret, losses.langfuse, fetcher, deps.otelTimeoutMs),
    exportSentry(done, secret, losses.sentry, fetcher, now, deps.otelTimeoutMs),
  ]);
  if (!retried.size) batch.ackAll();
}

/** The traced entries of each envelope (sampled, and a success or failure as its callbacks list), exported. */
async function spans(envelopes: Envelope[], secret: Secret, deps: ConsumerDeps): Promise<void> {
  const wanted = envelopes.filter((en) => en.otel);
  if (!wanted.length) return;
  const { target, warning } = otelTarget(secret);
  for (const en of wanted) {
    const otel = en.otel!;
    const entries = wantedEntries(en, otel).filter((e): e is SpendEntry & { trace: object } => !!e.trace && sampled(e.trace.flags));
    if (!entries.length) continue;
    if (!target) {
      await losses.otel.count(entries.length, warning ?? 'no OTLP endpoint');
      continue;
    }
    if (target.kind === 'otlp') rememberSecrets(Object.values(target.headers));
    await exportSpans(entries, target, { content: otel.content, deployments: en.deployments }, losses.otel, deps.fetch, deps.otelTimeoutMs);
  }
}
