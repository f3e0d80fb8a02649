// Key management is the companion Worker's: the gateway authenticates and forwards; the companion answers over the
// gateway's key objects and holds each caller to its scope. Without the companion, the gateway says so.
import { describe, expect, it } from 'vitest';
import { digestHex } from '../../src/utils/digest';
import { companionStub } from '../spend/helpers';
import { keyGateway, manualClock } from './helpers';

const ADMIN_CALLS: [string, unknown?][] = [
  ['/key/generate', {}],
  ['/key/list'],
  ['/team/new', { team_id: 't' }],
  ['/user/list'],
  ['/tag/new', { name: 'prod', max_budget: 1 }],
  ['/customer/info?end_user_id=c'],
  ['/global/spend/keys'],
  ['/dashboard/keys'],
];

describe('key management through the companion Worker', () => {
  it('without the companion, the admin and spend routes answer 404 saying what they need; keys made before still work', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const managed = keyGateway({ stateNamespace: ns });
    const { key } = await managed.generate({ key_alias: 'made-before', models: ['gpt-4o'] });

    const alone = keyGateway({ stateNamespace: ns }, '', { COMPANION: undefined });
    for (const [path, json] of ADMIN_CALLS) {
      const res = await alone.admin(path, json);
      expect(res.status, path).toBe(404);
      expect((await res.json<any>()).error, path).toMatchObject({
        message: expect.stringMatching(/^Key management needs the companion Worker \(npm run deploy\)/),
        type: 'invalid_request_error',
        code: 'companion_missing',
      });
    }
    const logs = await alone.admin('/spend/logs');
    expect(logs.status).toBe(404);
    expect((await logs.json<any>()).error.message).toBe('Spend logs need the companion Worker (npm run deploy)');
    // The request path is the gateway's own: a key made through the companion is honoured without it.
    expect((await alone.call(key)).status).toBe(200);
    expect((await alone.call(key, 'cheap')).status).toBe(403);
  });

  it('a virtual key reads only itself through the gateway, and cannot manage even when it reaches the companion', async () => {
    const ns = `${crypto.randomUUID()}:`;
    const now = manualClock();
    const gw = keyGateway({ stateNamespace: ns, now });
    const { key } = await gw.generate({ key_alias: 'app' });
    const own = await gw.request('/key/info', { headers: { authorization: `Bearer ${key}` } });
    expect(own.status).toBe(200);
    expect((await own.json<any>()).info).toMatchObject({ key_alias: 'app' });
    expect((await gw.request('/key/generate', { method: 'POST', json: {}, headers: { authorization: `Bearer ${key}` } })).status).toBe(401);

    // The companion itself, called with the key's scope as the gateway would send it: refused, and nothing made.
    const companion = companionStub({}, { stateNamespace: ns, now }).COMPANION;
    const scope = await digestHex(key);
    const made = await companion.fetch('http://companion/key/generate', {
      method: 'POST',
      headers: { 'x-spend-scope': scope, 'content-type': 'application/json' },
      body: JSON.stringify({ key_alias: 'sneaky' }),
    });
    expect(made.status).toBe(403);
    expect((await made.json<any>()).error).toMatchObject({ type: 'auth_error', message: expect.stringContaining('Only the master key') });
    const other = await gw.generate({ key_alias: 'other' });
    const info = await companion.fetch(`http://companion/key/info?key=${other.token_id}`, { headers: { 'x-spend-scope': scope } });
    expect(info.status).toBe(403);
    expect(await (await gw.admin('/key/list')).json()).toMatchObject({ total_count: 2 });
  });

  it('the companion answers nothing without the scope the gateway sends', async () => {
    const companion = companionStub().COMPANION;
    for (const [path, json] of ADMIN_CALLS) {
      const res = await companion.fetch(`http://companion${path}`, json === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
      expect(res.status, path).toBe(403);
      expect((await res.json<any>()).error, path).toMatchObject({ code: 'no_scope', message: 'The companion answers only the gateway' });
    }
    // With it, the master key's scope manages.
    const listed = await companion.fetch('http://companion/team/list', { headers: { 'x-spend-scope': '*' } });
    expect(listed.status).toBe(200);
  });

  it('a change made through the gateway applies in its isolate at once', async () => {
    const gw = keyGateway({ now: manualClock() });
    await gw.admin('/team/new', { team_id: 'ops' });
    const { key } = await gw.generate({ team_id: 'ops' });
    expect((await gw.call(key)).status).toBe(200);
    expect((await gw.admin('/team/block', { team_id: 'ops' })).status).toBe(200);
    expect((await gw.call(key)).status).toBe(401);
    expect((await gw.admin('/team/unblock', { team_id: 'ops' })).status).toBe(200);
    expect((await gw.call(key)).status).toBe(200);
  });
});
