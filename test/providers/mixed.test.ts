// The bar: one LiteLLM config mixing openai/, azure/, anthropic/, gemini/, vertex_ai/, bedrock/ and three catalogue
// hosts loads unchanged; the OpenAI SDK gets answers and streams through each, and fallbacks cross providers.
import { describe, expect, it } from 'vitest';
import { textMessage, textStream as claudeStream } from '../fixtures/anthropic';
import { errors, textResponse, textStream } from '../fixtures/gemini';
import { testServiceAccount, tokenResponse } from '../fixtures/vertex';
import { converseText, eventStream, textFrames } from '../helpers/bedrock';
import { testGateway } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

async function mixed() {
  const account = await testServiceAccount();
  const gw = testGateway(
    `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: os.environ/OPENAI_KEY } }
  - { model_name: azure-gpt, litellm_params: { model: azure/prod-4o, api_base: https://acme.openai.azure.com, api_key: os.environ/AZURE_KEY }, model_info: { base_model: gpt-4o } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5-20250929, api_key: os.environ/ANTHROPIC_KEY } }
  - { model_name: gem, litellm_params: { model: gemini/gemini-2.0-flash, api_key: os.environ/GEMINI_KEY } }
  - { model_name: vertex, litellm_params: { model: vertex_ai/gemini-2.0-flash, vertex_location: us-central1, vertex_credentials: os.environ/VERTEX_CREDENTIALS } }
  - { model_name: bedrock, litellm_params: { model: bedrock/anthropic.claude-3-5-haiku-20241022-v1:0, aws_region_name: us-east-1 } }
  - { model_name: mistral, litellm_params: { model: mistral/mistral-large-latest } }
  - { model_name: deepseek, litellm_params: { model: deepseek/deepseek-chat } }
  - { model_name: together, litellm_params: { model: together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo } }
router_settings:
  num_retries: 0
  fallbacks: [{ gem: [claude] }]
`,
    {},
    {
      OPENAI_KEY: 'sk-openai-123456',
      AZURE_KEY: 'azure-key-123456',
      ANTHROPIC_KEY: 'sk-ant-123456',
      GEMINI_KEY: 'AIza-gem-123456',
      VERTEX_CREDENTIALS: JSON.stringify(account.json),
      MISTRAL_API_KEY: 'mistral-key-123456',
      DEEPSEEK_API_KEY: 'deepseek-key-123456',
      TOGETHER_API_KEY: 'together-key-123456',
      AWS_ACCESS_KEY_ID: 'AKIDMIXED',
      AWS_SECRET_ACCESS_KEY: 'mixed-secret-123456',
    },
  );
  gw.upstream.on('oauth2.test/token', { json: tokenResponse() });
  gw.upstream.on(':generateContent', { json: textResponse });
  gw.upstream.on(':streamGenerateContent', { stream: textStream, noDone: true });
  gw.upstream.on((url, body) => url.endsWith('/v1/messages') && body.stream, { stream: claudeStream, noDone: true });
  gw.upstream.on('/v1/messages', { json: textMessage });
  gw.upstream.on((url) => url.endsWith('/converse-stream'), eventStream(textFrames()));
  gw.upstream.on((url) => url.endsWith('/converse'), converseText('Hello from Bedrock'));
  return gw;
}

const HOSTS: Record<string, string> = {
  gpt: 'api.openai.com',
  'azure-gpt': 'acme.openai.azure.com',
  claude: 'api.anthropic.com',
  gem: 'generativelanguage.googleapis.com',
  vertex: 'us-central1-aiplatform.googleapis.com',
  bedrock: 'bedrock-runtime.us-east-1.amazonaws.com',
  mistral: 'api.mistral.ai',
  deepseek: 'api.deepseek.com',
  together: 'api.together.xyz',
};

describe('a config mixing every kind of provider', () => {
  it('answers and streams through each, priced where the model is known', async () => {
    const gw = await mixed();
    const client = sdkFor(gw);
    for (const [model, host] of Object.entries(HOSTS)) {
      const before = gw.upstream.calls.length;
      const answer = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] });
      expect(answer.choices[0].message.content, model).toBeTruthy();
      const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      expect(text, model).toBeTruthy();
      const hosts = gw.upstream.calls.slice(before).map((c) => new URL(c.url).host).filter((h) => h !== 'oauth2.test');
      expect(hosts, model).toEqual([host, host]);
    }
    const priced = await gw.chat({ model: 'azure-gpt', messages: [{ role: 'user', content: 'Hi' }] });
    expect(Number(priced.headers.get('x-litellm-response-cost'))).toBeGreaterThan(0);
  });

  it('falls back across providers: a Gemini 503 is answered by Claude', async () => {
    const gw = await mixedFailingGemini();
    const answer = await gw.chat({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-litellm-model-group')).toBe('claude');
    expect(answer.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['generativelanguage.googleapis.com', 'api.anthropic.com']);
  });
});

async function mixedFailingGemini() {
  const gw = testGateway(
    `
model_list:
  - { model_name: gem, litellm_params: { model: gemini/gemini-2.0-flash, api_key: AIza-gem-123456 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-ant-123456 } }
router_settings: { num_retries: 0, fallbacks: [{ gem: [claude] }] }
`,
  );
  gw.upstream.on(':generateContent', errors.overloaded);
  return gw;
}
