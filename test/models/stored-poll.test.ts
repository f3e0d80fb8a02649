// Each gateway isolate polls the companion's list of stored models every REFRESH_MS: with the version it holds, the
// companion answers the list only when it changed, so a poll reads one row and unseals nothing.
import { describe, expect, it } from 'vitest';
import { SCOPE_HEADER } from '../../src/http/companion';
import { STORED_MODELS_PATH, StoredModels } from '../../src/models/stored';
import { companionStub } from '../spend/helpers';

const SALT = 'salt-key-for-tests-0123456789';

describe('the stored models poll', () => {
  it('answers the list when the version held is not current, and only the version when it is', async () => {
    const { COMPANION } = companionStub({ LITELLM_SALT_KEY: SALT });
    const get = async (query = '') => (await COMPANION.fetch(`https://companion${STORED_MODELS_PATH}${query}`, { headers: { [SCOPE_HEADER]: '*' } })).json<any>();
    const id = `poll-${crypto.randomUUID().slice(0, 8)}`;
    const at = new Date().toISOString();
    const put = await COMPANION.fetch(`https://companion${STORED_MODELS_PATH}/${id}`, {
      method: 'PUT',
      headers: { [SCOPE_HEADER]: '*', 'content-type': 'application/json' },
      body: JSON.stringify({ model_id: id, model_name: id, litellm_params: { model: 'openai/gpt-4o', api_key: 'sk-poll-secret-1' }, model_info: {}, created_at: at, updated_at: at }),
    });
    expect(put.status).toBe(200);
    const full = await get();
    expect(full.models.some((m: any) => m.model_id === id)).toBe(true);
    expect(await get(`?since=${full.version}`)).toEqual({ version: full.version });
    expect((await get(`?since=${full.version - 1}`)).models.some((m: any) => m.model_id === id)).toBe(true);
  });

  it('an isolate keeps its list across an unchanged poll and takes a changed one', async () => {
    const { COMPANION } = companionStub({ LITELLM_SALT_KEY: SALT });
    const stored = new StoredModels(COMPANION, Date.now);
    await stored.read();
    const before = stored.models.length;
    const version = stored.version;
    await stored.read();
    expect(stored.version).toBe(version);
    expect(stored.models.length).toBe(before);
    const id = `poll-${crypto.randomUUID().slice(0, 8)}`;
    const at = new Date().toISOString();
    await stored.put({ model_id: id, model_name: id, litellm_params: { model: 'openai/gpt-4o' }, model_info: {}, created_at: at, updated_at: at });
    expect(stored.version).toBeGreaterThan(version);
    expect(stored.models.map((m) => m.model_id)).toContain(id);
  });
});
