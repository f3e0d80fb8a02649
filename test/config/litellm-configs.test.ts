/// <reference types="vite/client" />
// Real LiteLLM configs (test/fixtures/litellm-configs/): check-config and the Worker judge each one alike, and
// each one loads, or is refused only for a security-relevant key this gateway cannot honour.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/config/compile';
import { parseConfigYaml } from '../../src/config/yaml';
import type { Env } from '../../src/env';
import { gatewayFor } from '../../src/gateway';
import { chatCompletion } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const fixtures = import.meta.glob('../fixtures/litellm-configs/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const files = Object.entries(fixtures).map(([path, text]) => ({ name: path.split('/').pop()!, text }));

/** Every os.environ/ name a config reads, set: the Worker then sees what check-config assumes. */
const envFor = (text: string) => Object.fromEntries([...text.matchAll(/os\.environ\/(\w+)/g)].map(([, name]) => [name, `value-of-${name}`]));

/** The companion's bindings, as `npm run deploy` gives the gateway (check-config warns about what only they serve). */
const companion = { SPEND_QUEUE: { send: async () => {} }, COMPANION: { fetch: async () => new Response() } };

/** The Worker's judgement: the gateway an isolate builds from this config as ROUTER_CONFIG. */
async function workerLoads(text: string) {
  const gateway = await gatewayFor({ ...env, ...envFor(text), ...companion } as unknown as Env, { configText: JSON.stringify(parseConfigYaml(text)) });
  return gateway.ok ? { ok: true as const } : { ok: false as const, message: gateway.error.message };
}

describe("LiteLLM's own configs", () => {
  it('are there to test', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const { name, text } of files) {
    it(`${name}: check-config and the Worker agree, and it loads or is refused for a security-relevant key`, async () => {
      const checked = compileConfig(text, name);
      const worker = await workerLoads(text);
      expect(worker.ok, worker.ok ? '' : worker.message).toBe(checked.ok);
      if (!checked.ok) {
        for (const e of checked.errors) {
          // Or a setting LiteLLM reads from its process's env (AWS keys), which check-config cannot see.
          expect(e).toMatch(/: refused: |in the Worker env/);
          expect(worker.ok ? '' : worker.message).toContain(e);
        }
      }
    });
  }

  const named = (n: string) => files.find((f) => f.name === n)!.text;

  it('reads YAML 1.1 numbers as LiteLLM does: tpm: 20_000 is 20000', () => {
    const r = compileConfig(named('azure_config.yaml'));
    expect(r.ok).toBe(true);
    const raw = (r.bundled as { raw: any }).raw;
    expect(raw.model_list[0].litellm_params.tpm).toBe(20000);
    expect(raw.model_list[1].litellm_params.tpm).toBe(100000);
    // PyYAML's 1.1: yes/on are booleans, y/n strings, a date a string (as LiteLLM uses it).
    expect(parseConfigYaml('a: y\nb: yes\nc: 2024-06-01\nd: 1_000\ne: off\n')).toEqual({ a: 'y', b: true, c: '2024-06-01', d: 1000, e: false });
  });

  it('accepts model_info.mode: batch (every mode LiteLLM knows), and refuses a mode it does not with its key path', () => {
    expect(compileConfig(named('oai_misc_config.yaml')).ok).toBe(true);
    for (const mode of ['batch', 'image_edit', 'ocr', 'search', 'video_generation', 'vector_store']) {
      expect(compileConfig(`model_list:\n  - model_name: a\n    litellm_params: { model: mock/a }\n    model_info: { mode: ${mode} }\n`).ok).toBe(true);
    }
    const r = compileConfig('model_list:\n  - model_name: a\n    litellm_params: { model: mock/a }\n    model_info: { mode: chatty }\n');
    expect(r.errors).toEqual([expect.stringMatching(/^model_list\[0\]\.model_info\.mode: expected one of chat, .*batch.*got "chatty"/)]);
  });

  it('warns, with its key path, about each deployment whose provider is not served, and loads the rest', () => {
    const r = compileConfig(named('proxy_server_config.yaml'));
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^model_list\[5\]\.litellm_params\.model: no provider for "sagemaker\/.*" here: model group "sagemaker-completion-model" answers 400/),
        expect.stringMatching(/^model_list\[8\]\.litellm_params\.model: no provider for "dall-e-3" here/),
        expect.stringMatching(/^model_list\[18\]\.litellm_params\.model: no provider for "text-completion-openai\//),
      ]),
    );
  });

  it('refuses custom_auth, JWT auth and guardrails it does not have, saying why', () => {
    const custom = compileConfig(named('pass_through_config.yaml'));
    expect(custom.errors).toEqual([expect.stringMatching(/^general_settings\.custom_auth: refused: custom_auth runs your Python code .* not implemented/)]);
    expect(compileConfig(named('okta_jwt_auth_config.yaml')).errors[0]).toMatch(/^general_settings\.enable_jwt_auth: refused: JWT auth is not implemented/);
    // Guardrails are honoured; LiteLLM's category word lists (policy templates) are not, and refuse the config.
    expect(compileConfig(named('guardrails_eu_ai_act.yaml')).errors).toEqual([expect.stringMatching(/^guardrails\[0\]\.litellm_params\.categories: refused: not built in/)]);
    expect(compileConfig(named('otel_test_config.yaml')).errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/^guardrails\[0\]\.litellm_params\.guardrail: refused: "aporia" is not implemented/), expect.stringMatching(/^guardrails\[3\]\.litellm_params\.guardrail: refused: "custom_guardrail\.myCustomGuardrail"/)]),
    );
  });

  it('refuses guardrail callbacks and Python hooks in callbacks; an empty guardrails list passes', () => {
    const base = 'model_list:\n  - model_name: a\n    litellm_params: { model: mock/a }\n';
    expect(compileConfig(`${base}litellm_settings:\n  callbacks: ["presidio"]\n`).errors).toEqual([expect.stringMatching(/^litellm_settings\.callbacks\[0\]: refused: "presidio" is a guardrail \(use the top-level guardrails:\)/)]);
    expect(compileConfig(`${base}litellm_settings:\n  callbacks: custom_callbacks.proxy_handler_instance\n`).ok).toBe(false);
    expect(compileConfig(`${base}litellm_settings:\n  callbacks: ["custom_callbacks.proxy_handler_instance"]\n`).errors).toEqual([expect.stringMatching(/Python code/)]);
    expect(compileConfig(`${base}guardrails: []\ngeneral_settings:\n  enable_jwt_auth: false\n`).ok).toBe(true);
  });

  it('check-config refuses what the Worker would refuse at build: a provider fault in litellm_params', async () => {
    const text = 'model_list:\n  - model_name: a\n    litellm_params: { model: azure/gpt-4o, api_key: k }\n';
    expect(compileConfig(text).errors).toEqual(['model_list[0].litellm_params.api_base: required for azure/ deployments (https://<resource>.openai.azure.com)']);
    expect((await workerLoads(text)).ok).toBe(false);
  });

  it('a deployment with an unserved provider answers a 400 naming it, while the rest of the config serves', async () => {
    const gw = testGateway(named('proxy_server_config.yaml'), {}, { AZURE_API_KEY: 'az', OPENAI_API_KEY: 'oa', ANTHROPIC_API_KEY: 'an', GROQ_API_KEY: 'gq' } as Partial<Env>);
    const auth = { authorization: 'Bearer sk-1234' };
    const refused = await gw.chat({ model: 'sagemaker-completion-model', messages: user() }, auth);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { message: string; code: string } };
    expect(body.error.message).toMatch(/^No provider for model "sagemaker\/berri-benchmarking-Llama-2-70b-chat-hf-4": use one of the prefixes openai\/, /);
    expect(body.error.code).toBe('provider_not_served');
    expect(gw.upstream.calls).toHaveLength(0);

    gw.upstream.on('exampleopenaiendpoint', { json: chatCompletion('served') });
    const served = await gw.chat({ model: 'fake-openai-endpoint', messages: user() }, auth);
    expect(served.status).toBe(200);
    expect(((await served.json()) as any).choices[0].message.content).toBe('served');
  });
});
