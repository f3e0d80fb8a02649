// LiteLLM's budgets below the key: /tag/* and /customer/* (master key only, and served by the companion, as /key/*
// are), each tag and customer its own KeyStore object (`tag:<name>`, `customer:<id>`). GET /provider/budgets, which
// reads the gateway's Router, is the gateway's own (src/app.ts).
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { jsonBody } from '../http/body';
import { badRequest } from '../router/errors';
import type { AdminEnv } from './api';
import { budgetRecord } from './directory';
import { resetAt } from './duration';
import { bounded, CUSTOMER_FIELDS, keyParam, readFields, stringList, TAG_FIELDS } from './input';
import { refusalError } from './refusal';
import { notFound } from './team-rules';
import type { BudgetRecord } from './types';

type Body = Record<string, unknown>;
type Scope = 'tag' | 'customer';

export const budgetRoutes = new Hono<AdminEnv>();

/** A record in LiteLLM's shape: a tag's TagConfig, a customer's LiteLLM_EndUserTable. */
function view({ scope, name, alias, ...rest }: BudgetRecord) {
  const { max_budget, budget_duration, budget_reset_at } = rest;
  return scope === 'tag' ? { name, description: alias, ...rest } : { user_id: name, alias, ...rest, litellm_budget_table: { max_budget, budget_duration, budget_reset_at } };
}

const missing = (scope: Scope, id: string) => notFound(scope === 'tag' ? `Tag ${id} not found` : `End User Id=${id} does not exist in db`, scope === 'tag' ? 'name' : 'user_id');

/** What a request names: a checked body (LiteLLM's field names), or a list that must not be empty. */
const json = (c: Context<AdminEnv>) => jsonBody(c) as Body;
function names(c: Context<AdminEnv>, field: string) {
  const list = stringList(json(c), field);
  if (list.length === 0) throw badRequest(`${field}: required`, field, 'missing_field');
  return list;
}

/** Makes (`made`) or changes a tag or customer, listing it first: a name listed without a record costs a read; a record not listed would not be enforced. */
async function put(c: Context<AdminEnv>, scope: Scope, id: string, patch: Partial<BudgetRecord>, made = false) {
  const keys = c.var.admin;
  const now = keys.now();
  const account = { kind: scope, id };
  await keys.directory.index().listName(scope, id, true);
  const gone = missing(scope, id);
  const o = keys.directory.of(account);
  const r = made ? await o.create(budgetRecord(scope, id, patch, now), { ...gone, status: 400, code: '400', message: `${scope} ${id} already exists` }) : await o.update(patch, now, gone);
  if (!r.ok) throw refusalError(r.refusal);
  return view(r.value as BudgetRecord);
}

async function remove(c: Context<AdminEnv>, scope: Scope, id: string): Promise<boolean> {
  const keys = c.var.admin;
  const account = { kind: scope, id };
  const gone = await keys.directory.of(account).remove();
  await keys.directory.index().listName(scope, id, false);
  return gone !== null;
}

for (const [scope, idField, fields] of [['tag', 'name', TAG_FIELDS], ['customer', 'user_id', CUSTOMER_FIELDS]] as const) {
  for (const made of [true, false]) {
    budgetRoutes.post(`/${scope}/${made ? 'new' : 'update'}`, (c) => {
      const { [idField]: _, description, ...b } = readFields(json(c), fields);
      const patch = { ...b } as Partial<BudgetRecord>;
      if (description !== undefined) patch.alias = description as string | null;
      if ('budget_duration' in b) patch.budget_reset_at = resetAt(b.budget_duration as string | null, c.var.admin.now());
      return put(c, scope, keyParam(json(c), idField), patch, made).then((v) => c.json(v));
    });
  }
}

budgetRoutes.post('/tag/info', async (c) => {
  const keys = c.var.admin;
  const asked = names(c, 'names');
  const found = await Promise.all(asked.map((id) => keys.directory.budget({ kind: 'tag', id }, keys.now())));
  const out = Object.fromEntries(found.flatMap((r, i) => (r ? [[asked[i], view(r)]] : [])));
  if (found.every((r) => !r)) throw refusalError(missing('tag', asked.join(', ')));
  return c.json(out);
});

budgetRoutes.post('/tag/delete', async (c) => {
  const name = keyParam(json(c), 'name');
  if (!(await remove(c, 'tag', name))) throw refusalError(missing('tag', name));
  return c.json({ message: `Tag ${name} deleted successfully` });
});

budgetRoutes.get('/customer/info', async (c) => {
  const keys = c.var.admin;
  const id = c.req.query('end_user_id');
  if (!id) throw badRequest('end_user_id: required', 'end_user_id', 'missing_field');
  const r = await keys.directory.budget({ kind: 'customer', id: bounded(id, 'end_user_id') }, keys.now());
  if (!r) throw refusalError(missing('customer', id));
  return c.json(view(r));
});

budgetRoutes.post('/customer/delete', async (c) => {
  const ids = names(c, 'user_ids');
  const gone = await Promise.all(ids.map((id) => remove(c, 'customer', id)));
  if (!gone.some(Boolean)) throw refusalError(missing('customer', ids.join(', ')));
  return c.json({ deleted_customers: ids.filter((_, i) => gone[i]) });
});

for (const blocked of [true, false]) {
  budgetRoutes.post(`/customer/${blocked ? '' : 'un'}block`, async (c) => {
    const out = [];
    for (const id of names(c, 'user_ids')) out.push(await put(c, 'customer', id, { blocked }));
    return c.json({ blocked_users: out });
  });
}
