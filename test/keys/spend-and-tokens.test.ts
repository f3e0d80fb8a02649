// /global/spend/keys and /global/spend/teams from the spend counters; /utils/token_counter as LiteLLM's clients call it.
import { describe, expect, it } from 'vitest';
import { chatCompletion } from '../helpers/fake-upstream';
import { CALL_COST, keyGateway } from './helpers';

describe('/global/spend/*', () => {
  it('spend per key and per team, highest first, from what requests cost', async () => {
    const gw = keyGateway();
    gw.upstream.on('up.test', { json: chatCompletion('ok') });
    await gw.admin('/team/new', { team_id: 'blue', team_alias: 'Blue' });
    const a = await gw.generate({ key_alias: 'a', team_id: 'blue' });
    const b = await gw.generate({ key_alias: 'b' });
    await gw.call(a.key);
    await gw.call(a.key);
    await gw.call(b.key);
    await gw.settle();
    const keys = await (await gw.admin('/global/spend/keys?limit=5')).json<any>();
    expect(keys.map((k: any) => [k.key_alias, k.total_spend])).toEqual([
      ['a', expect.closeTo(2 * CALL_COST, 10)],
      ['b', expect.closeTo(CALL_COST, 10)],
    ]);
    expect(keys[0].api_key).toBe(a.token_id);
    const teams = await (await gw.admin('/global/spend/teams')).json<any>();
    expect(teams.total_spend_per_team).toEqual([expect.objectContaining({ team_id: 'blue', team_alias: 'Blue', total_spend: expect.closeTo(2 * CALL_COST, 10) })]);
    expect(teams.teams).toEqual(['Blue']);
    // master key only
    expect((await gw.request('/global/spend/keys', { headers: { authorization: `Bearer ${a.key}` } })).status).toBe(401);
  });
});

describe('/utils/token_counter', () => {
  it('counts a prompt for a model (an estimate, said so), for the master key and a key allowed the model', async () => {
    const gw = keyGateway();
    const body = { model: 'gpt4', messages: [{ role: 'user', content: 'hello world, count me' }] };
    const res = await gw.admin('/utils/token_counter', body);
    expect(res.status).toBe(200);
    const out = await res.json<any>();
    expect(out).toMatchObject({ request_model: 'gpt4', model_used: 'gpt-4o', tokenizer_type: 'estimate' });
    expect(out.total_tokens).toBeGreaterThan(0);
    const key = await gw.generate({ models: ['cheap'] });
    const as = (json: unknown) => gw.request('/utils/token_counter', { method: 'POST', json, headers: { authorization: `Bearer ${key.key}` } });
    expect((await as({ ...body, model: 'cheap' })).status).toBe(200);
    expect((await as(body)).status).toBe(403);
    expect((await gw.admin('/utils/token_counter', { model: 'cheap' })).status).toBe(400);
  });
});
