// The spend_logs table in D1: created on first use (no migration step for `npm run dev` or a deploy), written in
// multi-row batches, trimmed to the retention period. Rows are keyed by request_id, so a batch delivered twice
// (a queue retries at least once) is stored once.
import type { SpendRow } from './row';
import { COLUMNS } from './row';
import { schemaOnce } from '../d1-schema';

const q = (c: string) => `"${c}"`;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS spend_logs (
    "request_id" TEXT PRIMARY KEY, "call_type" TEXT NOT NULL, "api_key" TEXT NOT NULL DEFAULT '', "spend" REAL NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0, "prompt_tokens" INTEGER NOT NULL DEFAULT 0, "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "startTime" TEXT NOT NULL, "endTime" TEXT NOT NULL, "request_duration_ms" INTEGER, "completionStartTime" TEXT,
    "model" TEXT NOT NULL DEFAULT '', "model_id" TEXT DEFAULT '', "model_group" TEXT DEFAULT '', "custom_llm_provider" TEXT DEFAULT '',
    "api_base" TEXT DEFAULT '', "user" TEXT DEFAULT '', "metadata" TEXT DEFAULT '{}', "cache_hit" TEXT DEFAULT '', "cache_key" TEXT DEFAULT '',
    "request_tags" TEXT DEFAULT '[]', "team_id" TEXT, "end_user" TEXT, "status" TEXT, "key_alias" TEXT, "team_alias" TEXT,
    "messages" TEXT DEFAULT '{}', "response" TEXT DEFAULT '{}'
  )`,
  // What the queries filter on: time, and time within a key or a team. Each index is one more row write per request.
  'CREATE INDEX IF NOT EXISTS spend_logs_start ON spend_logs ("startTime")',
  'CREATE INDEX IF NOT EXISTS spend_logs_key ON spend_logs ("api_key", "startTime")',
  'CREATE INDEX IF NOT EXISTS spend_logs_team ON spend_logs ("team_id", "startTime")',
];

/** Creates the table once per isolate and database; a failure is retried by the next call. */
export const ensureTable = schemaOnce(SCHEMA);

/** D1 binds at most 100 parameters per statement. */
const ROWS_PER_STATEMENT = Math.floor(100 / COLUMNS.length);
const INSERT_HEAD = `INSERT OR IGNORE INTO spend_logs (${COLUMNS.map(q).join(', ')}) VALUES `;
const ROW_SLOTS = `(${COLUMNS.map(() => '?').join(', ')})`;

/** Writes rows in one D1 batch (one transaction, one round trip). */
export async function insertRows(db: D1Database, rows: SpendRow[]): Promise<void> {
  if (rows.length === 0) return;
  await ensureTable(db);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const sql = INSERT_HEAD + chunk.map(() => ROW_SLOTS).join(', ');
    statements.push(db.prepare(sql).bind(...chunk.flatMap((r) => COLUMNS.map((c) => r[c] ?? null))));
  }
  await db.batch(statements);
}

/** At most this many rows are deleted per call: a long delete would hold the database's one writer. */
const PURGE_LIMIT = 5_000;

export async function purgeBefore(db: D1Database, before: string): Promise<number> {
  await ensureTable(db);
  const r = await db
    .prepare('DELETE FROM spend_logs WHERE rowid IN (SELECT rowid FROM spend_logs WHERE "startTime" < ? LIMIT ?)')
    .bind(before, PURGE_LIMIT)
    .run();
  return r.meta.changes ?? 0;
}

const PURGE_EVERY_MS = 3_600_000;
const purgedAt = new WeakMap<D1Database, number>();

/** Trims rows older than the retention period, at most once an hour per isolate and database. */
export async function purgeIfDue(db: D1Database, retentionMs: number, now: number): Promise<void> {
  if (now - (purgedAt.get(db) ?? 0) < PURGE_EVERY_MS) return;
  purgedAt.set(db, now);
  await purgeBefore(db, new Date(now - retentionMs).toISOString()).catch(() => purgedAt.delete(db));
}
