// The Azure-style routes Azure OpenAI SDK clients call: /openai/deployments/{deployment}/chat/completions and
// /embeddings?api-version=..., with the `api-key` header; the deployment name is the model group.
import { AzureOpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import { chatCompletion } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';

const MASTER = 'sk-master-azure-0000';
const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
  - model_name: instruct
    litellm_params: { model: openai/gpt-3.5-turbo-instruct, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
  - model_name: embed
    litellm_params: { model: openai/text-embedding-3-small, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
general_settings:
  master_key: ${MASTER}
`;

function azureClient(gw: ReturnType<typeof testGateway>, apiKey: string, deployment: string) {
  return new AzureOpenAI({
    endpoint: 'http://gateway.test',
    apiKey,
    apiVersion: '2024-10-21',
    deployment,
    maxRetries: 0,
    fetch: async (url, init) => {
      const u = new URL(String(url));
      return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    },
  });
}

describe('Azure-style routes', () => {
  it("the Azure OpenAI SDK's chat call reaches the deployment's model group, with api-key auth", async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/chat/completions', { json: chatCompletion('from azure route') });
    const client = azureClient(gw, MASTER, 'gpt-4o');
    const out = await client.chat.completions.create({ model: 'ignored-by-azure', messages: [{ role: 'user', content: 'hi' }] });
    expect(out.choices[0].message.content).toBe('from azure route');
    expect(gw.upstream.calls[0].body.model).toBe('gpt-4o');
  });

  it('embeddings through /openai/deployments/{deployment}/embeddings', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/embeddings', { json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 1, total_tokens: 1 } } });
    const client = azureClient(gw, MASTER, 'embed');
    const out = await client.embeddings.create({ model: 'embed', input: 'hello', encoding_format: 'float' });
    expect(out.data[0].embedding).toEqual([0.1, 0.2]);
  });

  it('completions through /openai/deployments/{deployment}/completions, and a key alias applies after the path', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/completions', { json: { id: 'c', object: 'text_completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, text: 'done', finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } });
    const out = await azureClient(gw, MASTER, 'instruct').completions.create({ model: 'x', prompt: 'say done' });
    expect(out.choices[0].text).toBe('done');
    expect(gw.upstream.calls[0].body.model).toBe('gpt-3.5-turbo-instruct');
    // A key whose aliases send "legacy" to gpt-4o: the path's deployment is the name the alias is looked up by.
    const gw2 = testGateway(CONFIG);
    const made = await (await gw2.request('/key/generate', { method: 'POST', json: { aliases: { legacy: 'gpt-4o' }, models: ['gpt-4o'] }, headers: { authorization: `Bearer ${MASTER}` } })).json<any>();
    gw2.upstream.on('/chat/completions', { json: chatCompletion('aliased') });
    const chat = await azureClient(gw2, made.key, 'legacy').chat.completions.create({ model: 'legacy', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.choices[0].message.content).toBe('aliased');
  });

  it('a virtual key is admitted there as on /v1 (its models hold), and a wrong api-key is a 401', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/chat/completions', { json: chatCompletion('ok') });
    const made = await (await gw.request('/key/generate', { method: 'POST', json: { models: ['embed'] }, headers: { authorization: `Bearer ${MASTER}` } })).json<any>();
    const post = (key: string, deployment: string) =>
      gw.request(`/openai/deployments/${deployment}/chat/completions?api-version=2024-10-21`, {
        method: 'POST',
        json: { messages: [{ role: 'user', content: 'hi' }] },
        headers: { 'api-key': key },
      });
    const refused = await post(made.key, 'gpt-4o');
    expect(refused.status).toBe(403);
    expect((await refused.json<any>()).error.type).toBe('key_model_access_denied');
    expect((await post('sk-wrong-key-0000000000000', 'gpt-4o')).status).toBe(401);
    expect((await post(MASTER, 'gpt-4o')).status).toBe(200);
  });
});
