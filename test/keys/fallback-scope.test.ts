// A key's models hold for every model a request names, its own fallbacks included (issue 27, item 1): the audit's
// repro is a key for ["af"] asking for af with fallbacks to b, af failing. Refused before any upstream call, on
// every model route; the config's own fallbacks are the admin's choice and still serve it.
import { describe, expect, it } from 'vitest';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';
import { MASTER } from './helpers';

const CONFIG = (extra = '') => `
model_list:
  - model_name: af
    litellm_params: { model: openai/af, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
  - model_name: b
    litellm_params: { model: openai/b, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
router_settings:
  num_retries: 0
  model_group_alias: { bee: b }
${extra}
general_settings:
  master_key: ${MASTER}
`;

function gateway(extra = '') {
  const gw = testGateway(CONFIG(extra));
  // af always fails (the key holder can make it fail); b answers.
  gw.upstream.on((_url, body) => body?.model === 'af', { status: 500, json: openAIError(500, 'af is down', null, 'server_error') });
  const admin = (path: string, json: unknown) => gw.request(path, { method: 'POST', json, headers: { authorization: `Bearer ${MASTER}` } });
  const generate = async (body: Record<string, unknown>) => (await (await admin('/key/generate', body)).json<{ key: string }>()).key;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  return { gw, admin, generate, as };
}

const ROUTES: Array<[string, string, Record<string, unknown>]> = [
  ['chat', '/v1/chat/completions', { messages: user() }],
  ['chat streamed', '/v1/chat/completions', { messages: user(), stream: true }],
  ['messages', '/v1/messages', { max_tokens: 10, messages: user() }],
  ['messages streamed', '/v1/messages', { max_tokens: 10, messages: user(), stream: true }],
  ['responses', '/v1/responses', { input: 'Hello' }],
  ['responses streamed', '/v1/responses', { input: 'Hello', stream: true }],
  ['embeddings', '/v1/embeddings', { input: 'Hello' }],
];

/** Each form of a request's fallbacks LiteLLM takes, and the model it names. */
const FORMS: Array<[string, unknown, string]> = [
  ['names', ['b'], 'b'],
  ['objects', [{ model: 'b' }], 'b'],
  ['an object with parameters', [{ model: 'b', temperature: 0 }], 'b'],
  ['the router form', [{ af: ['b'] }], 'b'],
  ['the router form under "*"', [{ '*': ['bee'] }], 'bee'],
  ['an alias', ['bee'], 'bee'],
];

/** The error's message, in OpenAI's shape or Anthropic's. */
const messageOf = (body: any) => body.error.message as string;

describe('a key\'s models hold for the request\'s own fallbacks', () => {
  it.each(ROUTES)('%s: fallbacks to a model outside the key\'s list are refused with LiteLLM\'s 403, before any upstream call', async (_name, path, rest) => {
    const { gw, generate, as } = gateway();
    const key = await generate({ models: ['af'] });
    for (const [form, fallbacks, tried] of FORMS) {
      const res = await gw.request(path, { method: 'POST', json: { model: 'af', fallbacks, ...rest }, headers: as(key) });
      expect(res.status, form).toBe(403);
      expect(messageOf(await res.json()), form).toBe(`key not allowed to access model. This key can only access models=['af']. Tried to access ${tried}`);
    }
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('a team\'s models hold for them too, and a key with limits (checked in the KeyStore) is refused alike', async () => {
    const { gw, admin, generate, as } = gateway();
    await admin('/team/new', { team_id: 'red', models: ['af'] });
    const teamKey = await generate({ team_id: 'red' });
    const limited = await generate({ models: ['af'], rpm_limit: 100 });
    const teamRes = await gw.chat({ model: 'af', messages: user(), fallbacks: ['b'] }, as(teamKey));
    expect(teamRes.status).toBe(403);
    expect(await teamRes.json()).toMatchObject({
      error: { message: "team not allowed to access model. This team can only access models=['af']. Tried to access b", param: 'fallbacks', code: '403' },
    });
    const limitedRes = await gw.chat({ model: 'af', messages: user(), fallbacks: [{ model: 'b' }] }, as(limited));
    expect(limitedRes.status).toBe(403);
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('fallbacks the key may call still serve it; the master key is not limited', async () => {
    const { gw, generate, as } = gateway();
    const key = await generate({ models: ['af', 'b'] });
    const res = await gw.chat({ model: 'af', messages: user(), fallbacks: ['b'] }, as(key));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-group')).toBe('b');
    const master = await gw.chat({ model: 'af', messages: user(), fallbacks: ['b'] }, as(MASTER));
    expect(master.status).toBe(200);
  });

  it('the config\'s fallbacks are the admin\'s choice: they serve a key limited to af', async () => {
    const { gw, generate, as } = gateway('  fallbacks: [{ af: [b] }]');
    const key = await generate({ models: ['af'] });
    const res = await gw.chat({ model: 'af', messages: user() }, as(key));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-group')).toBe('b');
  });
});
