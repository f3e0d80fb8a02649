// The built companion Worker, run as its own Worker beside the tests (vitest.config.ts): the gateway's entries
// cross a real queue binding to its queue handler, the spend and key routes a real service binding to its fetch, and
// the gateway's Durable Object bindings reach the classes it defines.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { user } from '../helpers/gateway';
import { keyGateway } from '../keys/helpers';

const live = env as unknown as { LIVE_SPEND_QUEUE: Queue<string>; LIVE_COMPANION: Fetcher };

describe('the companion Worker', () => {
  it('takes the gateway\'s entries off a real queue into D1, and answers /spend/logs over the service binding', async () => {
    const gw = keyGateway({}, '', { SPEND_QUEUE: live.LIVE_SPEND_QUEUE, COMPANION: live.LIVE_COMPANION });
    const res = await gw.admin('/v1/chat/completions', { model: 'gpt-4o', messages: user() });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-litellm-call-id')!;
    let found: any[] = [];
    for (let i = 0; i < 40 && found.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      found = await (await gw.admin(`/spend/logs?request_id=${id}`)).json<any[]>();
    }
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ request_id: id, model_group: 'gpt-4o', status: 'success' });
  });

  it('defines the key objects the gateway binds by script_name: a key it makes is the one the gateway enforces', async () => {
    const gw = keyGateway({}, '', { COMPANION: live.LIVE_COMPANION });
    const { key } = await gw.generate({ key_alias: `live-${crypto.randomUUID()}`, models: ['gpt-4o'], max_budget: 1 });
    expect((await gw.call(key)).status).toBe(200);
    const refused = await gw.call(key, 'cheap');
    expect(refused.status).toBe(403);
    // The gateway booked the call's spend in those objects, and the companion reads it back from them.
    let spend = 0;
    for (let i = 0; i < 40 && spend === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      spend = (await gw.info(key)).info.spend;
    }
    expect(spend).toBeGreaterThan(0);
  });

  it('answers nothing without the gateway\'s scope: it has no route of its own', async () => {
    const res = await live.LIVE_COMPANION.fetch('http://companion/spend/logs');
    expect(res.status).toBe(403);
    expect((await live.LIVE_COMPANION.fetch('http://companion/anything', { headers: { 'x-spend-scope': '*' } })).status).toBe(404);
  });
});
