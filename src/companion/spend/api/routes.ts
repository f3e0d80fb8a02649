// LiteLLM's spend endpoints over the spend log: GET /spend/logs, /spend/logs/v2, /global/spend/report,
// /global/spend/models and /spend/tags, in LiteLLM's parameters and shapes. Only the gateway calls them (a service binding; the companion
// has no public route), and says whose they are: the master key reads everything, a virtual key only its own rows
// (every query is then scoped to its hash).
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { sha256Hex } from '../../../utils/sha256';
import { badRequest, RouterError } from '../../../router/errors';
import { SCOPE_HEADER } from '../../../http/companion';
import type { CompanionEnv } from '../../env';
import type { Params } from './query';
import { checkParams, dateBound, numberParam, rowOut, Where } from './query';
import { ensureTable } from '../store';
import { all, dailyReport, daySummary, totalsReport } from './reports';

/** /spend/logs without a page: newest first, at most this many (LiteLLM returns them all). */
const MAX_ROWS = 1000;

interface Reader {
  db: D1Database;
  params: Params;
  /** The caller's own key hash, when a virtual key asks: every query is limited to it. */
  own?: string;
}

type CompanionContext = Context<{ Bindings: CompanionEnv }>;

async function reader(c: CompanionContext, route: string, known: readonly string[]): Promise<Reader> {
  const scope = c.req.header(SCOPE_HEADER);
  if (!scope) throw new RouterError('PermissionDeniedError', 'The companion answers only the gateway', { code: 'no_scope' });
  const db = c.env.SPEND_DB;
  if (!db) throw new RouterError('NotFoundError', 'Spend logs are off: the companion has no SPEND_DB binding (wrangler.companion.toml)', { code: 'spend_logs_disabled' });
  const params = c.req.query();
  checkParams(route, params, known);
  const own = scope === '*' ? undefined : scope;
  if (params.api_key !== undefined) {
    const asked = await keyHash(params.api_key);
    if (own && asked !== own) throw new RouterError('PermissionDeniedError', 'A virtual key can read only its own spend logs', { code: 'not_your_key' });
    params.api_key = asked;
  }
  if (own) params.api_key = own;
  await ensureTable(db);
  return { db, params, own };
}

/** A key as LiteLLM accepts it: the key itself (hashed here) or its hash. */
const keyHash = (key: string) => (key.startsWith('sk-') ? sha256Hex(key) : Promise.resolve(key));


function range(p: Params, required: boolean): { from?: string; to?: string } {
  if (required) {
    const missing = ['start_date', 'end_date'].filter((k) => p[k] === undefined);
    if (missing.length) throw badRequest(`Please provide start_date and end_date (missing: ${missing.join(', ')})`, missing[0], 'missing_parameter');
  }
  return {
    from: p.start_date === undefined ? undefined : dateBound('start_date', p.start_date, false),
    to: p.end_date === undefined ? undefined : dateBound('end_date', p.end_date, true),
  };
}

export const spendRoutes = new Hono<{ Bindings: CompanionEnv }>()
  .get('/spend/logs', async (c) => {
    const { db, params: p } = await reader(c, '/spend/logs', ['api_key', 'user_id', 'request_id', 'start_date', 'end_date', 'summarize']);
    const { from, to } = range(p, false);
    const where = new Where().eq('api_key', p.api_key).eq('request_id', p.request_id).eq('user', p.user_id).between(from, to);
    if (p.start_date !== undefined && p.end_date !== undefined && p.summarize !== 'false') {
      return c.json(await daySummary(db, where, p.end_date));
    }
    const rows = await all(db, `SELECT * FROM spend_logs${where} ORDER BY "startTime" DESC LIMIT ${MAX_ROWS}`, where.values);
    return c.json(rows.map(rowOut));
  })
  .get('/spend/logs/v2', async (c) => {
    const known = ['api_key', 'user_id', 'request_id', 'team_id', 'key_alias', 'end_user', 'model', 'model_group', 'model_id', 'status_filter', 'tags', 'min_spend', 'max_spend', 'start_date', 'end_date', 'page', 'page_size'];
    const { db, params: p } = await reader(c, '/spend/logs/v2', known);
    const { from, to } = range(p, false);
    const page = numberParam('page', p.page, { min: 1, int: true }) ?? 1;
    const pageSize = numberParam('page_size', p.page_size, { min: 1, max: 100, int: true }) ?? 50;
    if (p.status_filter !== undefined && p.status_filter !== 'success' && p.status_filter !== 'failure') {
      throw badRequest(`status_filter: "${p.status_filter}" is not success or failure`, 'status_filter', 'invalid_parameter');
    }
    const where = new Where()
      .eq('api_key', p.api_key).eq('request_id', p.request_id).eq('user', p.user_id).eq('team_id', p.team_id).eq('key_alias', p.key_alias)
      .eq('end_user', p.end_user).eq('model', p.model).eq('model_group', p.model_group).eq('model_id', p.model_id).eq('status', p.status_filter)
      .between(from, to);
    const min = numberParam('min_spend', p.min_spend);
    const max = numberParam('max_spend', p.max_spend);
    if (min !== undefined) where.add('"spend" >= ?', min);
    if (max !== undefined) where.add('"spend" <= ?', max);
    const tags = p.tags?.split(',').map((t) => t.trim()).filter(Boolean);
    if (tags?.length) where.add(`EXISTS (SELECT 1 FROM json_each("request_tags") WHERE value IN (${tags.map(() => '?').join(', ')}))`, ...tags);
    const [count] = await all<{ n: number }>(db, `SELECT COUNT(*) AS n FROM spend_logs${where}`, where.values);
    const rows = await all(db, `SELECT * FROM spend_logs${where} ORDER BY "startTime" DESC, "request_id" LIMIT ? OFFSET ?`, [...where.values, pageSize, (page - 1) * pageSize]);
    const total = count?.n ?? 0;
    return c.json({ data: rows.map(rowOut), total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize) });
  })
  .get('/global/spend/report', async (c) => {
    const { db, params: p } = await reader(c, '/global/spend/report', ['start_date', 'end_date', 'group_by', 'api_key', 'team_id', 'customer_id', 'internal_user_id']);
    const { from, to } = range(p, true);
    const groupBy = p.group_by ?? 'team';
    const where = new Where().between(from, to).eq('api_key', p.api_key).eq('team_id', p.team_id).eq('end_user', p.customer_id).eq('user', p.internal_user_id);
    if (groupBy === 'team' || groupBy === 'customer') return c.json(await dailyReport(db, where, groupBy));
    if (groupBy === 'api_key' || groupBy === 'key' || groupBy === 'model') return c.json(await totalsReport(db, where, groupBy === 'model' ? 'model' : 'api_key'));
    throw badRequest(`group_by: "${groupBy}" is not one of team, customer, api_key, key, model`, 'group_by', 'invalid_parameter');
  })
  // LiteLLM's Last30dModelsBySpend: the top `limit` models (10) by spend over the last 30 days.
  .get('/global/spend/models', async (c) => {
    const { db, params: p } = await reader(c, '/global/spend/models', ['limit']);
    const limit = numberParam('limit', p.limit, { min: 1, max: MAX_ROWS, int: true }) ?? 10;
    const where = new Where().between(new Date(Date.now() - 30 * 86_400_000).toISOString(), undefined).eq('api_key', p.api_key).add(`"model" != ''`);
    const sql = `SELECT "model", SUM("spend") AS total_spend, SUM("total_tokens") AS total_tokens FROM spend_logs${where} GROUP BY "model" ORDER BY total_spend DESC LIMIT ?`;
    return c.json(await all(db, sql, [...where.values, limit]));
  })
  .get('/spend/tags', async (c) => {
    const { db, params: p } = await reader(c, '/spend/tags', ['start_date', 'end_date', 'api_key']);
    const { from, to } = range(p, false);
    const where = new Where().between(from, to).eq('api_key', p.api_key);
    const sql = `SELECT t.value AS individual_request_tag, COUNT(*) AS log_count, SUM("spend") AS total_spend
      FROM spend_logs, json_each(spend_logs."request_tags") AS t${where} GROUP BY t.value ORDER BY total_spend DESC`;
    return c.json(await all(db, sql, where.values));
  });
