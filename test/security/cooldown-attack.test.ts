// No caller can cool a group down with bad bodies (issue 27, item 2). The audit's repro: five /v1/messages with
// `"system": 123` (or another wrong shape) to a group translated to chat answered 500 and counted two deployment
// failures each, so both deployments cooled and every caller, the master key's too, got 429. A bad body is now a
// 400 in the API's shape before routing, and a fault of the gateway's own code a 500 booked against no deployment.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { messagesApi } from '../../src/api/messages';
import { responsesApi } from '../../src/api/responses';
import { testGateway, user } from '../helpers/gateway';

const MASTER = 'sk-cooldown-master-0000';
const CONFIG = `
model_list:
  - { model_name: t, litellm_params: { model: openai/t1, api_key: sk-provider-1, api_base: https://one.test/v1 }, model_info: { id: t1 } }
  - { model_name: t, litellm_params: { model: openai/t2, api_key: sk-provider-1, api_base: https://two.test/v1 }, model_info: { id: t2 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-provider-1 }, model_info: { id: c1 } }
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-provider-1, api_base: https://one.test/v1 }, model_info: { id: g1 } }
router_settings:
  cooldown_time: 60
  allowed_fails: 1
general_settings:
  master_key: ${MASTER}
`;
const auth = { authorization: `Bearer ${MASTER}` };

function gateway() {
  const gw = testGateway(CONFIG);
  const post = (path: string, json: unknown) => gw.request(path, { method: 'POST', json, headers: auth });
  const deployments = async () => {
    const state = await (await gw.request('/v1/router/state', { headers: auth })).json<any>();
    return Object.values(state.groups).flatMap((g: any) => g.deployments) as Array<{ id: string; fails_this_minute: number; cooldown_until: string | null }>;
  };
  return { gw, post, deployments };
}

/** The audit's five `"system": 123`, then the other shapes it tried. */
const BAD_MESSAGES: Array<Record<string, unknown>> = [
  ...Array.from({ length: 5 }, () => ({ system: 123 })),
  { system: { a: 1 } },
  { system: [null, true] },
  { tools: 'abc' },
  { messages: [{ role: 'user', content: [null] }] },
];

afterEach(() => vi.restoreAllMocks());

describe('a bad body cannot cool a group down', () => {
  it('five /v1/messages with `"system": 123` (and other wrong shapes) to a translated group: 400 each, nothing booked, the master key still served', async () => {
    const { gw, post, deployments } = gateway();
    for (const bad of BAD_MESSAGES) {
      const res = await post('/v1/messages', { model: 't', max_tokens: 10, messages: user(), ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const body = await res.json<any>();
      expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    }
    expect(gw.upstream.calls).toHaveLength(0);
    expect((await deployments()).every((d) => d.fails_this_minute === 0 && d.cooldown_until === null)).toBe(true);
    const after = await post('/v1/messages', { model: 't', max_tokens: 10, messages: user() });
    expect(after.status).toBe(200);
  });

  it('the Anthropic pass-through forwards no malformed body: `system: 123` is refused before the upstream', async () => {
    const { gw, post } = gateway();
    const res = await post('/v1/messages', { model: 'claude', max_tokens: 10, messages: user(), system: 123 });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toMatch(/^system: /);
    const count = await post('/v1/messages/count_tokens', { model: 'claude', messages: user(), system: 123 });
    expect(count.status).toBe(400);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('the OpenAI Responses pass-through forwards no malformed body either', async () => {
    const { gw, post } = gateway();
    for (const bad of [{ input: 5 }, { instructions: ['x'] }, { tools: 'abc' }, { input: [{ type: 'function_call_output', call_id: 1, output: 'x' }] }, { temperature: 'hot' }]) {
      const res = await post('/v1/responses', { model: 'gpt', input: 'hi', ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(Object.keys((await res.json<any>()).error).sort()).toEqual(['code', 'message', 'param', 'type']);
    }
    expect(gw.upstream.calls).toHaveLength(0);
  });

  // Messages to the OpenAI group and Responses to the Anthropic one: both translated.
  it.each([
    ['/v1/messages', messagesApi, { model: 't', max_tokens: 10, messages: user() }],
    ['/v1/responses', responsesApi, { model: 'claude', input: 'hi' }],
  ] as const)('%s: a fault of the gateway\'s own code (a translator that throws) is its 500, booked against no deployment, never retried', async (path, api, body) => {
    const { gw, post, deployments } = gateway();
    const toChat = vi.spyOn(api, 'toChat').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'map')");
    });
    for (let i = 0; i < 5; i++) {
      const res = await post(path, body);
      expect(res.status).toBe(500);
      expect(JSON.stringify(await res.json())).toContain('Internal error in the gateway');
    }
    // one attempt a request: no retry, no other deployment, no fallback
    expect(toChat).toHaveBeenCalledTimes(5);
    expect((await deployments()).every((d) => d.fails_this_minute === 0 && d.cooldown_until === null)).toBe(true);
    toChat.mockRestore();
    expect((await post(path, body)).status).toBe(200);
    expect(gw.upstream.calls).toHaveLength(1);
  });
});
