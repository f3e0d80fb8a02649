// LiteLLM's spend reports over the spend log: each a GROUP BY in D1, shaped as LiteLLM answers it.
import type { Where } from './query';
import { dateBound } from './query';

export const all = async <T = Record<string, unknown>>(db: D1Database, sql: string, values: unknown[]) => (await db.prepare(sql).bind(...values).all<T>()).results;

/** LiteLLM's /spend/logs with dates: per day, the spend, by user, by model and by key, every day up to end_date present. */
export async function daySummary(db: D1Database, where: Where, endDate: string) {
  const sql = `SELECT substr("startTime", 1, 10) AS day, "api_key", "user", "model", SUM("spend") AS spend FROM spend_logs${where}
    GROUP BY day, "api_key", "user", "model" ORDER BY day`;
  const rows = await all<{ day: string; api_key: string; user: string; model: string; spend: number }>(db, sql, where.values);
  const days = new Map<string, Record<string, unknown> & { spend: number; users: Record<string, number>; models: Record<string, number> }>();
  for (const r of rows) {
    let d = days.get(r.day);
    if (!d) days.set(r.day, (d = { users: {}, models: {}, spend: 0 }));
    d.spend += r.spend;
    d[r.api_key] = ((d[r.api_key] as number | undefined) ?? 0) + r.spend;
    d.users[r.user] = (d.users[r.user] ?? 0) + r.spend;
    d.models[r.model] = (d.models[r.model] ?? 0) + r.spend;
  }
  const out = [...days].map(([day, v]) => ({ ...v, startTime: day }));
  if (out.length === 0) return out;
  // LiteLLM fills the days after the last one with data, up to end_date, with zeros.
  const endDay = dateBound('end_date', endDate, true);
  for (let t = Date.parse(`${out.at(-1)!.startTime}T00:00:00Z`) + 86_400_000; new Date(t).toISOString() < endDay; t += 86_400_000) {
    out.push({ startTime: new Date(t).toISOString().slice(0, 10), spend: 0, users: {}, models: {} });
  }
  return out;
}

/** LiteLLM's report by team or customer: per day, each group's spend with its spend by model and key. */
export async function dailyReport(db: D1Database, where: Where, groupBy: 'team' | 'customer') {
  const group = groupBy === 'team' ? `COALESCE("team_alias", "team_id", 'Unassigned Team')` : '"end_user"';
  const sql = `SELECT substr("startTime", 1, 10) AS day, ${group} AS grp, "model", "api_key", SUM("spend") AS spend, SUM("total_tokens") AS total_tokens
    FROM spend_logs${where} GROUP BY day, grp, "model", "api_key" ORDER BY day`;
  const rows = await all<{ day: string; grp: string | null; model: string; api_key: string; spend: number; total_tokens: number }>(db, sql, where.values);
  const days = new Map<string, Map<string | null, { total_spend: number; metadata: unknown[] }>>();
  for (const r of rows) {
    const groups = days.get(r.day) ?? days.set(r.day, new Map()).get(r.day)!;
    const g = groups.get(r.grp) ?? groups.set(r.grp, { total_spend: 0, metadata: [] }).get(r.grp)!;
    g.total_spend += r.spend;
    g.metadata.push({ model: r.model, api_key: r.api_key, spend: r.spend, total_tokens: r.total_tokens });
  }
  const name = groupBy === 'team' ? 'team_name' : 'customer';
  return [...days].map(([day, groups]) => ({
    group_by_day: day,
    [groupBy === 'team' ? 'teams' : 'customers']: [...groups].map(([grp, g]) => ({ [name]: grp, ...g })),
  }));
}

/** LiteLLM's report by api_key (and the same by model): totals with a breakdown by the other. */
export async function totalsReport(db: D1Database, where: Where, by: 'api_key' | 'model') {
  const other = by === 'api_key' ? 'model' : 'api_key';
  const sql = `SELECT "${by}" AS k, "${other}" AS o, SUM("spend") AS cost, SUM("prompt_tokens") AS input, SUM("completion_tokens") AS output, COUNT(*) AS requests
    FROM spend_logs${where} GROUP BY k, o`;
  const rows = await all<{ k: string; o: string; cost: number; input: number; output: number; requests: number }>(db, sql, where.values);
  const out = new Map<string, { total_cost: number; total_input_tokens: number; total_output_tokens: number; requests: number; details: unknown[] }>();
  for (const r of rows) {
    const t = out.get(r.k) ?? out.set(r.k, { total_cost: 0, total_input_tokens: 0, total_output_tokens: 0, requests: 0, details: [] }).get(r.k)!;
    t.total_cost += r.cost;
    t.total_input_tokens += r.input;
    t.total_output_tokens += r.output;
    t.requests += r.requests;
    t.details.push({ [other]: r.o, total_cost: r.cost, total_input_tokens: r.input, total_output_tokens: r.output });
  }
  return [...out]
    .map(([k, { details, ...t }]) => ({ [by]: k, ...t, [by === 'api_key' ? 'model_details' : 'api_key_details']: details }))
    .sort((a, b) => b.total_cost - a.total_cost);
}
