// The OpenAI-compatible catalogue (public/providers.json): every row, through the gateway, against the fake
// upstream. Adding a host is a row there and a row in EXPECTED here: the URL it is called at, its auth header,
// the model it is sent, and the env var LiteLLM reads its key from.
import { describe, expect, it } from 'vitest';
import CATALOGUE from '../../public/providers.json';
import { streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

interface Expected {
  /** The chat URL with no api_base set (or with the api_base given). */
  url: string;
  apiBase?: string;
  keyEnv: string;
  model?: string;
  header?: string;
  embeddings: boolean;
  /** A rerank or embedding host: chat is refused without a call. */
  chat?: false;
}

const EXPECTED: Record<string, Expected> = {
  deepseek: { url: 'https://api.deepseek.com/beta/chat/completions', keyEnv: 'DEEPSEEK_API_KEY', embeddings: false },
  mistral: { url: 'https://api.mistral.ai/v1/chat/completions', keyEnv: 'MISTRAL_API_KEY', embeddings: true },
  codestral: { url: 'https://codestral.mistral.ai/v1/chat/completions', keyEnv: 'CODESTRAL_API_KEY', embeddings: false },
  together_ai: { url: 'https://api.together.xyz/v1/chat/completions', keyEnv: 'TOGETHER_API_KEY', embeddings: true },
  fireworks_ai: {
    url: 'https://api.fireworks.ai/inference/v1/chat/completions',
    keyEnv: 'FIREWORKS_API_KEY',
    model: 'accounts/fireworks/models/test-model',
    embeddings: true,
  },
  openrouter: { url: 'https://openrouter.ai/api/v1/chat/completions', keyEnv: 'OPENROUTER_API_KEY', embeddings: false },
  xai: { url: 'https://api.x.ai/v1/chat/completions', keyEnv: 'XAI_API_KEY', embeddings: false },
  perplexity: { url: 'https://api.perplexity.ai/chat/completions', keyEnv: 'PERPLEXITYAI_API_KEY', embeddings: false },
  cerebras: { url: 'https://api.cerebras.ai/v1/chat/completions', keyEnv: 'CEREBRAS_API_KEY', embeddings: false },
  deepinfra: { url: 'https://api.deepinfra.com/v1/openai/chat/completions', keyEnv: 'DEEPINFRA_API_KEY', embeddings: true },
  sambanova: { url: 'https://api.sambanova.ai/v1/chat/completions', keyEnv: 'SAMBANOVA_API_KEY', embeddings: true },
  nvidia_nim: { url: 'https://integrate.api.nvidia.com/v1/chat/completions', keyEnv: 'NVIDIA_NIM_API_KEY', embeddings: true },
  groq: { url: 'https://api.groq.com/openai/v1/chat/completions', keyEnv: 'GROQ_API_KEY', embeddings: false },
  ollama: { url: 'http://localhost:11434/v1/chat/completions', keyEnv: 'OLLAMA_API_KEY', embeddings: true },
  ollama_chat: { url: 'http://localhost:11434/v1/chat/completions', keyEnv: 'OLLAMA_API_KEY', embeddings: true },
  hosted_vllm: { apiBase: 'http://vllm.test:8000/v1', url: 'http://vllm.test:8000/v1/chat/completions', keyEnv: 'HOSTED_VLLM_API_KEY', embeddings: true },
  lm_studio: { apiBase: 'http://lmstudio.test:1234/v1', url: 'http://lmstudio.test:1234/v1/chat/completions', keyEnv: 'LM_STUDIO_API_KEY', embeddings: true },
  azure_ai: {
    apiBase: 'https://my-foundry.services.ai.azure.com',
    url: 'https://my-foundry.services.ai.azure.com/models/chat/completions',
    keyEnv: 'AZURE_AI_API_KEY',
    header: 'api-key',
    embeddings: true,
  },
  github: { url: 'https://models.inference.ai.azure.com/chat/completions', keyEnv: 'GITHUB_API_KEY', embeddings: true },
  huggingface: { url: 'https://router.huggingface.co/v1/chat/completions', keyEnv: 'HF_TOKEN', embeddings: false },
  cohere: { url: 'https://api.cohere.ai/compatibility/v1/chat/completions', keyEnv: 'COHERE_API_KEY', embeddings: true },
  jina_ai: { url: 'https://api.jina.ai/v1/chat/completions', keyEnv: 'JINA_AI_API_KEY', embeddings: true, chat: false },
  voyage: { url: 'https://api.voyageai.com/v1/chat/completions', keyEnv: 'VOYAGE_API_KEY', embeddings: true, chat: false },
};

const KEY = 'test-provider-key-123456';
const config = (prefix: string, e: Expected, key = `api_key: ${KEY}`) => `
model_list:
  - model_name: m
    litellm_params: { model: ${prefix}/test-model, ${key}${e.apiBase ? `, api_base: "${e.apiBase}"` : ''} }
router_settings: { num_retries: 0 }
`;
const authOf = (e: Expected, key: string) => (e.header === 'api-key' ? { 'api-key': key } : { authorization: `Bearer ${key}` });

describe('the OpenAI-compatible catalogue', () => {
  it('has an expectation for every row, and a row for every expectation', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(CATALOGUE).sort());
  });

  for (const [prefix, e] of Object.entries(EXPECTED)) {
    it(`${prefix}/: URL, auth header and body as the host expects`, async () => {
      const gw = testGateway(config(prefix, e));
      const res = await gw.chat({ model: 'm', messages: user(), temperature: 0.2, max_tokens: 20 });
      if (e.chat === false) {
        expect(res.status).toBe(400);
        expect(gw.upstream.calls).toHaveLength(0);
        return;
      }
      expect(res.status).toBe(200);
      const [call] = gw.upstream.calls;
      expect(call.url).toBe(e.url);
      expect(call.headers).toMatchObject(authOf(e, KEY));
      expect(call.body).toEqual({ model: e.model ?? 'test-model', messages: user(), temperature: 0.2, max_tokens: 20 });
      expect((await res.json<any>()).choices[0].message.content).toBe(`fake answer from ${e.model ?? 'test-model'}`);
    });

    it(`${prefix}/: the key from ${e.keyEnv} when api_key is absent, as LiteLLM reads it`, async () => {
      const gw = testGateway(config(prefix, e, 'rpm: 100'), {}, { [e.keyEnv]: 'key-from-env-654321' });
      if (e.chat === false) expect((await gw.request('/v1/embeddings', { method: 'POST', json: { model: 'm', input: 'a' } })).status).toBe(200);
      else expect((await gw.chat({ model: 'm', messages: user() })).status).toBe(200);
      expect(gw.upstream.calls[0].headers).toMatchObject(authOf(e, 'key-from-env-654321'));
    });

    it(`${prefix}/: embeddings ${e.embeddings ? 'served' : 'refused without a call'}`, async () => {
      const gw = testGateway(config(prefix, e));
      const res = await gw.request('/v1/embeddings', { method: 'POST', json: { model: 'm', input: ['a', 'b'] } });
      if (!e.embeddings) {
        expect(res.status).toBe(400);
        expect(gw.upstream.calls).toHaveLength(0);
        return;
      }
      expect(res.status).toBe(200);
      expect(gw.upstream.calls[0].url).toBe(e.url.replace('/chat/completions', '/embeddings'));
      expect((await res.json<any>()).data).toHaveLength(2);
    });
  }

  it('honours api_base for every row', async () => {
    for (const prefix of Object.keys(CATALOGUE).filter((p) => EXPECTED[p].chat !== false)) {
      const gw = testGateway(config(prefix, { ...EXPECTED[prefix], apiBase: 'https://proxy.test/base/' }));
      const res = await gw.chat({ model: 'm', messages: user() });
      expect(res.status, prefix).toBe(200);
      expect(gw.upstream.calls[0].url, prefix).toMatch(/^https:\/\/proxy\.test\/base\/(v1\/)?chat\/completions$/);
      expect(res.headers.get('x-litellm-model-api-base'), prefix).toBe('https://proxy.test/base');
    }
  });

  it('streams through the relay, chunk by chunk, with the OpenAI SDK', async () => {
    const gw = testGateway(config('mistral', EXPECTED.mistral));
    gw.upstream.on('api.mistral.ai', { stream: streamOf('Bonjour', ' le', ' monde') });
    const stream = await sdkFor(gw).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Bonjour le monde');
  });

  it('refuses a parameter the host does not take, by name, unless drop_params drops it', async () => {
    const strict = testGateway(config('perplexity', EXPECTED.perplexity));
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const res = await strict.chat({ model: 'm', messages: user(), tools });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe('tools');
    const lenient = testGateway(`${config('perplexity', EXPECTED.perplexity)}litellm_settings: { drop_params: true }\n`);
    expect((await lenient.chat({ model: 'm', messages: user(), tools })).status).toBe(200);
    expect(lenient.upstream.calls[0].body.tools).toBeUndefined();
  });

  it('azure_ai/ sends a Bearer key to hosts other than Azure AI Foundry, and api_version in the query', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: m, litellm_params: { model: azure_ai/mistral-large, api_key: ${KEY}, api_base: "https://mistral-large.eastus.models.ai.azure.com", api_version: "2024-05-01-preview" } }
`);
    expect((await gw.chat({ model: 'm', messages: user() })).status).toBe(200);
    expect(gw.upstream.calls[0].url).toBe('https://mistral-large.eastus.models.ai.azure.com/chat/completions?api-version=2024-05-01-preview');
    expect(gw.upstream.calls[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('a host with no default base refuses a deployment without api_base, naming the env var', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: m, litellm_params: { model: hosted_vllm/llama } }
`);
    const res = await gw.chat({ model: 'm', messages: user() });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('model_list[0].litellm_params.api_base: required for hosted_vllm/ deployments (or set HOSTED_VLLM_API_BASE');
  });

  it('the base from the env var LiteLLM reads, when api_base is absent', async () => {
    const gw = testGateway(config('hosted_vllm', { ...EXPECTED.hosted_vllm, apiBase: undefined }), {}, { HOSTED_VLLM_API_BASE: 'http://vllm.env.test/v1' });
    expect((await gw.chat({ model: 'm', messages: user() })).status).toBe(200);
    expect(gw.upstream.calls[0].url).toBe('http://vllm.env.test/v1/chat/completions');
  });

  it('an explicit api_key wins over the env, and openai/ reads OPENAI_API_KEY as LiteLLM does', async () => {
    const gw = testGateway(
      `
model_list:
  - { model_name: a, litellm_params: { model: mistral/x, api_key: explicit-key-123456 } }
  - { model_name: b, litellm_params: { model: openai/gpt-4o, api_base: "https://openai.test/v1" } }
`,
      {},
      { MISTRAL_API_KEY: 'env-key-123456', OPENAI_API_KEY: 'sk-openai-env-123456' },
    );
    await gw.chat({ model: 'a', messages: user() });
    await gw.chat({ model: 'b', messages: user() });
    expect(gw.upstream.calls[0].headers.authorization).toBe('Bearer explicit-key-123456');
    expect(gw.upstream.calls[1].headers.authorization).toBe('Bearer sk-openai-env-123456');
  });

  it('an unknown prefix loads (as in LiteLLM) and its calls answer 400, listing every prefix and the openai/ + api_base way', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: m, litellm_params: { model: nosuchhost/x, api_key: k } }
`);
    const res = await gw.chat({ model: 'm', messages: user() });
    expect(res.status).toBe(400);
    const message: string = (await res.json<any>()).error.message;
    expect(message).toContain('No provider for model "nosuchhost/x"');
    for (const prefix of ['openai/', 'azure/', 'anthropic/', ...Object.keys(CATALOGUE).map((p) => `${p}/`)]) expect(message).toContain(prefix);
    expect(message).toContain('any other OpenAI-compatible server works as openai/<model> with api_base');
  });
});
