// LiteLLM's /model/new, /model/update and /model/delete (master key): deployments added, changed and removed
// without a redeploy when general_settings.store_model_in_db is on. Each is checked by the config's own loader,
// with this Worker's env, exactly as a model_list entry of the config is; the companion keeps them (stored.ts).
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import type { Gateway } from '../gateway';
import { jsonBody } from '../http/body';
import { badRequest } from '../router/errors';
import { publicParams } from '../router/public-params';
import type { StoredModel, StoredModels } from './stored';
import { loadStored } from './load';

type ModelsEnv = { Bindings: Record<string, unknown>; Variables: { gateway: Extract<Gateway, { ok: true }>; body: unknown } };
type Body = { model_name?: string; litellm_params?: Record<string, unknown>; model_info?: Record<string, unknown>; id?: string };

function storeOf(c: Context<ModelsEnv>): StoredModels {
  const { stored } = c.var.gateway;
  if (!stored) throw badRequest('Models are added at runtime with general_settings.store_model_in_db: true (and the companion Worker)', null, 'store_model_in_db_off');
  return stored;
}

/** The deployment as the config's loader judges it; a fault is a 400 naming its key path in the body. */
function checked(c: Context<ModelsEnv>, m: Omit<StoredModel, 'created_at' | 'updated_at'>) {
  const loaded = loadStored(m, c.env ?? {});
  if (!loaded.ok) {
    const fault = loaded.errors[0].replace(/^model_list\[0\]\.?/, '');
    throw badRequest(fault, fault.slice(0, fault.indexOf(':')) || null, 'invalid_deployment');
  }
}

/** As LiteLLM answers with the stored row, less the secrets. */
const shown = (m: StoredModel) => ({ ...m, litellm_params: publicParams(m.litellm_params) });

async function save(c: Context<ModelsEnv>, m: Omit<StoredModel, 'created_at' | 'updated_at'>, created?: string) {
  checked(c, m);
  const now = new Date().toISOString();
  const model = { ...m, created_at: created ?? now, updated_at: now };
  await storeOf(c).put(model);
  return c.json(shown(model));
}

const idOf = (id: unknown, name: string) => {
  if (typeof id !== 'string' || id === '') throw badRequest(`${name}: required, the model's id`, name, 'missing_field');
  return id;
};

const inConfig = (c: Context<ModelsEnv>, id: string) => c.var.gateway.config.model_list.some((d) => d.model_info?.id === id && !d.model_info.db_model);

export const modelRoutes = new Hono<ModelsEnv>()
  .post('/model/new', async (c) => {
    const stored = storeOf(c);
    const b = jsonBody(c) as Body;
    const id = String(b.model_info?.id ?? crypto.randomUUID());
    if (inConfig(c, id) || stored.models.some((m) => m.model_id === id)) throw badRequest(`model_info.id: a model with id ${id} exists`, 'model_info.id', 'duplicate_id');
    return save(c, { model_id: id, model_name: b.model_name as string, litellm_params: b.litellm_params as Record<string, unknown>, model_info: { ...b.model_info, id } });
  })
  .post('/model/update', async (c) => {
    const stored = storeOf(c);
    const b = jsonBody(c) as Body;
    const id = idOf(b.model_info?.id, 'model_info.id');
    await stored.read();
    const old = stored.models.find((m) => m.model_id === id);
    if (!old) throw badRequest(inConfig(c, id) ? "Can't edit model. Model in config. Store model in db via `/model/new`. to edit." : `Model with id=${id} not found in db`, 'model_info.id');
    // LiteLLM's merge: what the body gives (not null) over what is stored.
    const given = Object.fromEntries(Object.entries(b.litellm_params ?? {}).filter(([, v]) => v !== null));
    return save(c, { model_id: id, model_name: b.model_name ?? old.model_name, litellm_params: { ...old.litellm_params, ...given }, model_info: { ...old.model_info, ...b.model_info } }, old.created_at);
  })
  .post('/model/delete', async (c) => {
    const id = idOf((jsonBody(c) as Body).id, 'id');
    if (!(await storeOf(c).delete(id))) throw badRequest(`Model with id=${id} not found in db`, 'id');
    return c.json({ message: `Model: ${id} deleted successfully` });
  });
