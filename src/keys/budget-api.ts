// LiteLLM's budgets below the key: /tag/* and /customer/* (master key only, as /key/* are), each tag and
// customer its own KeyStore object (`tag:<name>`, `customer:<id>`), and GET /provider/budgets.
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { jsonBody } from '../http/body';
import { badRequest } from '../router/errors';
import { requireKeys } from './api';
import type { KeyedEnv } from './auth';
import { budgetRecord } from './directory';
import { resetAt } from './duration';
import { bounded, CUSTOMER_FIELDS, keyParam, readFields, stringList, TAG_FIELDS } from './input';
import { SCOPE_WORD } from './policy';
import { refusalError } from './refusal';
import type { KeyService } from './service';
import { notFound } from './team-rules';
import type { Account, BudgetRecord, BudgetScope } from './types';

type Body = Record<string, unknown>;

export const budgetRoutes = new Hono<KeyedEnv>();

budgetRoutes.get('/provider/budgets', async (c) => c.json(await c.var.gateway.router.providerBudgets()));

budgetRoutes.use('/tag/*', requireKeys);
budgetRoutes.use('/customer/*', requireKeys);

const service = (c: Context<KeyedEnv>): KeyService => c.var.gateway.keys!;

const tagView = (r: BudgetRecord) => ({
  name: r.name,
  description: r.alias,
  models: r.models,
  spend: r.spend,
  max_budget: r.max_budget,
  budget_duration: r.budget_duration,
  budget_reset_at: r.budget_reset_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const customerView = (r: BudgetRecord) => ({
  user_id: r.name,
  alias: r.alias,
  blocked: r.blocked,
  spend: r.spend,
  models: r.models,
  allowed_model_region: null,
  default_model: null,
  litellm_budget_table: r.max_budget === null && r.budget_duration === null ? null : { max_budget: r.max_budget, budget_duration: r.budget_duration, budget_reset_at: r.budget_reset_at },
});

/** A checked body's record fields: `description` and `alias` are both the record's alias. */
function fieldsOf(b: Body, now: number): Partial<BudgetRecord> {
  const { name: _n, user_id: _u, description, ...rest } = b;
  const out = { ...rest } as Partial<BudgetRecord>;
  if (description !== undefined) out.alias = description as string | null;
  if ('budget_duration' in b) out.budget_reset_at = resetAt(b.budget_duration as string | null, now);
  return out;
}

const missing = (scope: BudgetScope, id: string) => notFound(scope === 'tag' ? `Tag ${id} not found` : `End User Id=${id} does not exist in db`, scope === 'tag' ? 'name' : 'user_id');

async function create(c: Context<KeyedEnv>, scope: BudgetScope, id: string, b: Body) {
  const keys = service(c);
  const now = keys.now();
  const record = budgetRecord(scope, id, fieldsOf(b, now), now);
  // Listed first: a name listed without a record costs a read; a record not listed would not be enforced.
  await keys.directory.index().listName(scope, id, true);
  const made = await keys.directory.of({ kind: scope, id }).create(record, { ...missing(scope, id), status: 400, type: 'bad_request_error', code: '400', message: `${SCOPE_WORD[scope]} ${id} already exists` });
  if (!made.ok) throw refusalError(made.refusal);
  keys.knowBudget({ kind: scope, id }, made.value as BudgetRecord);
  return made.value as BudgetRecord;
}

async function update(c: Context<KeyedEnv>, account: Account, patch: Partial<BudgetRecord>) {
  const keys = service(c);
  const updated = await keys.directory.of(account).update(patch, keys.now(), missing(account.kind as BudgetScope, account.id));
  if (!updated.ok) throw refusalError(updated.refusal);
  await keys.directory.index().listName(account.kind as BudgetScope, account.id, true);
  keys.knowBudget(account, updated.value as BudgetRecord);
  return updated.value as BudgetRecord;
}

async function remove(c: Context<KeyedEnv>, account: Account): Promise<boolean> {
  const keys = service(c);
  const gone = await keys.directory.of(account).remove();
  await keys.directory.index().listName(account.kind as BudgetScope, account.id, false);
  keys.knowBudget(account, null);
  return gone !== null;
}

const body = (c: Context<KeyedEnv>) => jsonBody(c) as Body;

// ---- tags ----

budgetRoutes.post('/tag/new', async (c) => {
  const b = readFields(body(c), TAG_FIELDS);
  return c.json(tagView(await create(c, 'tag', keyParam(b, 'name'), b)));
});

budgetRoutes.post('/tag/info', async (c) => {
  const names = stringList(body(c), 'names');
  if (names.length === 0) throw badRequest('names: required', 'names', 'missing_field');
  const keys = service(c);
  const found = await Promise.all(names.map((n) => keys.directory.budget({ kind: 'tag', id: n }, keys.now())));
  const out = Object.fromEntries(found.flatMap((r, i) => (r ? [[names[i], tagView(r)]] : [])));
  if (Object.keys(out).length === 0) throw refusalError(missing('tag', names.join(', ')));
  return c.json(out);
});

budgetRoutes.post('/tag/update', async (c) => {
  const b = readFields(body(c), TAG_FIELDS);
  const name = keyParam(b, 'name');
  return c.json(tagView(await update(c, { kind: 'tag', id: name }, fieldsOf(b, service(c).now()))));
});

budgetRoutes.post('/tag/delete', async (c) => {
  const name = keyParam(body(c), 'name');
  if (!(await remove(c, { kind: 'tag', id: name }))) throw refusalError(missing('tag', name));
  return c.json({ message: `Tag ${name} deleted successfully` });
});

// ---- customers (end users) ----

budgetRoutes.post('/customer/new', async (c) => {
  const b = readFields(body(c), CUSTOMER_FIELDS);
  return c.json(customerView(await create(c, 'customer', keyParam(b, 'user_id'), b)));
});

budgetRoutes.get('/customer/info', async (c) => {
  const id = c.req.query('end_user_id');
  if (!id) throw badRequest('end_user_id: required', 'end_user_id', 'missing_field');
  const keys = service(c);
  const r = await keys.directory.budget({ kind: 'customer', id: bounded(id, 'end_user_id') }, keys.now());
  if (!r) throw refusalError(missing('customer', id));
  return c.json(customerView(r));
});

budgetRoutes.post('/customer/update', async (c) => {
  const b = readFields(body(c), CUSTOMER_FIELDS);
  const id = keyParam(b, 'user_id');
  return c.json(customerView(await update(c, { kind: 'customer', id }, fieldsOf(b, service(c).now()))));
});

budgetRoutes.post('/customer/delete', async (c) => {
  const ids = stringList(body(c), 'user_ids');
  if (ids.length === 0) throw badRequest('user_ids: required', 'user_ids', 'missing_field');
  const gone = await Promise.all(ids.map((id) => remove(c, { kind: 'customer', id })));
  const missingIds = ids.filter((_, i) => !gone[i]);
  if (missingIds.length === ids.length) throw refusalError(missing('customer', missingIds.join(', ')));
  return c.json({ deleted_customers: ids.filter((_, i) => gone[i]) });
});

for (const [path, blocked] of [['/customer/block', true], ['/customer/unblock', false]] as const) {
  budgetRoutes.post(path, async (c) => {
    const ids = stringList(body(c), 'user_ids');
    if (ids.length === 0) throw badRequest('user_ids: required', 'user_ids', 'missing_field');
    const records = [];
    for (const id of ids) records.push(customerView(await update(c, { kind: 'customer', id }, { blocked })));
    return c.json({ blocked_users: records });
  });
}
