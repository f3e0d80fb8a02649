// The store behind /model/new, /model/update and /model/delete. The gateway checks each deployment with its own
// config loader (and its env) and answers the client; here it is only kept, sealed. Internal routes: the gateway
// calls them with the master key's scope, and never forwards a client to them.
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { RouterError } from '../../router/errors';
import { SCOPE_HEADER } from '../../http/companion';
import type { CompanionEnv } from '../env';
import { STORED_MODELS_PATH, type StoredModel } from '../../models/stored';
import { ModelStore } from './store';
import { secretsOf } from '../exports';

type C = Context<{ Bindings: CompanionEnv }>;

function store(c: C): ModelStore {
  if (c.req.header(SCOPE_HEADER) !== '*') throw new RouterError('PermissionDeniedError', 'Stored models are the master key\'s', { code: 'no_scope' });
  const db = c.env.SPEND_DB;
  if (!db) throw new RouterError('NotFoundError', 'Stored models need the companion\'s SPEND_DB binding (wrangler.companion.toml)', { code: 'no_database' });
  return new ModelStore(db, secretsOf(c.env)('LITELLM_SALT_KEY'));
}

export const modelStoreRoutes = new Hono<{ Bindings: CompanionEnv }>()
  .get(STORED_MODELS_PATH, async (c) => {
    const since = c.req.query('since');
    return c.json(await store(c).list(since === undefined ? undefined : Number(since)));
  })
  .put(`${STORED_MODELS_PATH}/:id`, async (c) => {
    await store(c).put(await c.req.json<StoredModel>());
    return c.json({ ok: true });
  })
  .delete(`${STORED_MODELS_PATH}/:id`, async (c) => c.json({ deleted: await store(c).delete(c.req.param('id')) }));
