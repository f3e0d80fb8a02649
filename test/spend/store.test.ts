// The D1 side: retention, redelivery, and a consumer batch that cannot be written.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { consume, losses } from '../../src/companion/consume';
import type { Envelope, SpendEntry } from '../../src/spend/entry';
import type { SpendRow } from '../../src/companion/spend/row';
import { insertRows, purgeIfDue } from '../../src/companion/spend/store';

const row = (id: string, startTime: string): SpendRow => ({
  request_id: id, call_type: 'acompletion', api_key: '', spend: 0, total_tokens: 0, prompt_tokens: 0, completion_tokens: 0,
  startTime, endTime: startTime, request_duration_ms: 1, completionStartTime: null, model: 'm', model_id: 'd', model_group: 'g',
  custom_llm_provider: 'openai', api_base: '', user: '', metadata: '{}', cache_hit: 'False', cache_key: '', request_tags: '[]',
  team_id: null, end_user: null, status: 'success', key_alias: null, team_alias: null, messages: '{}', response: '{}',
});

const ids = async (db: D1Database, prefix: string) =>
  (await db.prepare('SELECT request_id FROM spend_logs WHERE request_id LIKE ? ORDER BY request_id').bind(`${prefix}%`).all<{ request_id: string }>()).results.map((r) => r.request_id);

describe('spend_logs in D1', () => {
  it('keeps rows for the retention period and deletes older ones', async () => {
    const db = (env as unknown as { SPEND_DB: D1Database }).SPEND_DB;
    const now = Date.UTC(2026, 5, 30);
    await insertRows(db, [row('ret-old', '2026-05-01T00:00:00.000Z'), row('ret-new', '2026-06-20T00:00:00.000Z')]);
    await purgeIfDue(db, 30 * 86_400_000, now);
    expect(await ids(db, 'ret-')).toEqual(['ret-new']);
  });

  it('stores a redelivered row once', async () => {
    const db = (env as unknown as { SPEND_DB: D1Database }).SPEND_DB;
    await insertRows(db, [row('dup-1', '2026-06-20T00:00:00.000Z')]);
    await insertRows(db, [row('dup-1', '2026-06-20T00:00:00.000Z'), row('dup-2', '2026-06-20T00:00:00.000Z')]);
    expect(await ids(db, 'dup-')).toEqual(['dup-1', 'dup-2']);
  });

  it('a batch D1 refuses is retried with backoff, then dropped and counted on its last delivery', async () => {
    const broken = { prepare: () => ({ bind: () => ({}) }), batch: () => Promise.reject(new Error('D1_ERROR: overloaded')) } as unknown as D1Database;
    const before = losses.spend_logs.total;
    const entry = (requestId: string): SpendEntry => ({
      requestId, call: 'chat', model: 'm', stream: false, ok: true, status: 200, attempts: 1, retries: 0, fallbacks: 0,
      startedAt: Date.UTC(2026, 5, 20), latencyMs: 1, cacheHit: false, tries: [],
    });
    const body = JSON.stringify({ spend: { prompts: false }, deployments: {}, entries: [entry('x-1'), entry('x-2')] } satisfies Envelope);
    const batch = createMessageBatch<string>('q', [
      { id: 'a', timestamp: new Date(), attempts: 1, body },
      { id: 'b', timestamp: new Date(), attempts: 4, body },
    ]);
    await consume(batch, { SPEND_DB: broken });
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['a']);
    expect(result.explicitAcks).toEqual(['b']);
    expect(losses.spend_logs.total - before).toBe(2);
  });
});
