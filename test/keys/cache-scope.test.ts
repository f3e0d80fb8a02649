// The response cache is scoped to the caller: a virtual key's answers are its own, or its team's with
// general_settings.virtual_key_cache_scope: team. A cache hit costs the key nothing.
import { describe, expect, it } from 'vitest';
import { CALL_COST, keyGateway } from './helpers';

const CACHED = () => `
litellm_settings:
  cache: true
  cache_params: { namespace: ${crypto.randomUUID()} }
`;

describe('cache scope of virtual keys', () => {
  it('per key by default: one key hits its own entry, never another key\'s', async () => {
    const gw = keyGateway({}, CACHED());
    await gw.admin('/team/new', { team_id: 't' });
    const a = await gw.generate({ team_id: 't' });
    const b = await gw.generate({ team_id: 't' });
    expect((await gw.call(a.key)).headers.get('x-litellm-cache-key')).toBeNull();
    const hit = await gw.call(a.key);
    expect(hit.headers.get('x-litellm-cache-key')).not.toBeNull();
    expect(hit.headers.get('x-litellm-response-cost')).toBe('0');
    expect((await gw.call(b.key)).headers.get('x-litellm-cache-key')).toBeNull();
    expect(gw.upstream.calls).toHaveLength(2);
    expect((await gw.info(a.token_id)).info.spend).toBeCloseTo(CALL_COST, 12); // the hit was free
  });

  it('per team with virtual_key_cache_scope: team; a key without a team keeps its own', async () => {
    const gw = keyGateway({}, CACHED(), {}, '  virtual_key_cache_scope: team');
    await gw.admin('/team/new', { team_id: 't' });
    const a = await gw.generate({ team_id: 't' });
    const b = await gw.generate({ team_id: 't' });
    const loner = await gw.generate({});
    await gw.call(a.key);
    expect((await gw.call(b.key)).headers.get('x-litellm-cache-key')).not.toBeNull();
    expect((await gw.call(loner.key)).headers.get('x-litellm-cache-key')).toBeNull();
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('refuses a virtual_key_cache_scope it does not know, by key path', async () => {
    const gw = keyGateway({}, '', {}, '  virtual_key_cache_scope: everyone');
    const res = await gw.admin('/key/list');
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('general_settings.virtual_key_cache_scope');
  });
});
