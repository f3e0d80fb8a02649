// The build step (scripts/config.mjs: compileConfig, then src/generated/config.ts) gives the Worker exactly
// what the runtime's own parse of the same file gives, and refuses a broken file with its key path.
import { describe, expect, it } from 'vitest';
import shipped from '../../router.config.yaml';
import { loadBundled } from '../../src/config/bundled';
import { compileConfig } from '../../src/config/compile';
import { loadProxyConfig } from '../../src/config/yaml';
import generated from '../../src/generated/config';

/** What the Worker serves from the build's output, against what parsing the YAML at runtime serves. */
function sameAsRuntime(text: string, env: Record<string, unknown> = {}) {
  const compiled = compileConfig(text);
  if (!compiled.ok || !compiled.bundled) throw new Error(compiled.errors.join('\n'));
  // Through JSON, as the generated module carries it.
  const bundled = JSON.parse(JSON.stringify(compiled.bundled));
  expect(loadBundled(bundled, env)).toEqual(loadProxyConfig(text, env));
  return compiled;
}

const WITH_ENV = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      rpm: os.environ/GPT4O_RPM
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
`;

describe('the build step', () => {
  it('wrote src/generated/config.ts from the shipped router.config.yaml, equal to the runtime parse', () => {
    expect(generated.source).toBe('router.config.yaml');
    expect(loadBundled(generated, {})).toEqual(loadProxyConfig(shipped, {}));
    expect(generated).toEqual(compileConfig(shipped).bundled);
    // Nothing in the shipped file reads the env: the Worker serves it without validating again.
    expect('config' in generated).toBe(true);
  });

  it('gives the runtime parse for other files: warnings, litellm_settings routing keys, the cache', () => {
    const compiled = sameAsRuntime(`
model_list:
  - model_name: a
    litellm_params: { model: mock/a, rpm: "60", unknown_provider_param: 1 }
    model_info: { id: a-1, mode: chat }
  - model_name: b
    litellm_params: { model: mock/b }
router_settings:
  routing_strategy: least-busy
  model_group_alias: { alias: a, ghost: nowhere }
  not_a_key: 1
litellm_settings:
  fallbacks: [{ a: [b] }]
  num_retries: 3
  cache: true
  cache_params: { ttl: 60 }
`);
    // The schema's words may change (its own tests hold them); the key paths are the contract here.
    expect(compiled.warnings).toEqual([
      expect.stringMatching(/^router_settings\.not_a_key: /),
      expect.stringMatching(/^router_settings\.model_group_alias\.ghost: no model group named "nowhere"/),
    ]);
    expect(compiled.deployments).toBe(2);
  });

  it('keeps os.environ/ symbolic and resolves it per isolate, as the runtime parse does', () => {
    const compiled = sameAsRuntime(WITH_ENV, { OPENAI_API_KEY: 'sk-a', GPT4O_RPM: '120', LITELLM_MASTER_KEY: 'sk-m' });
    expect(compiled.fromEnv).toEqual([
      'model_list[0].litellm_params.api_key: os.environ/OPENAI_API_KEY',
      'model_list[0].litellm_params.rpm: os.environ/GPT4O_RPM',
      'general_settings.master_key: os.environ/LITELLM_MASTER_KEY',
    ]);
    // No secret is in what the build writes.
    expect(JSON.stringify(compiled.bundled)).not.toContain('sk-');
    const served = loadBundled(compiled.bundled!, { OPENAI_API_KEY: 'sk-a', GPT4O_RPM: '120', LITELLM_MASTER_KEY: 'sk-m' });
    expect(served.ok && served.value.model_list[0].litellm_params).toMatchObject({ api_key: 'sk-a', rpm: 120 });
    // A value missing or wrong in the env is the runtime's to refuse, with the same words.
    sameAsRuntime(WITH_ENV, { OPENAI_API_KEY: 'sk-a', GPT4O_RPM: 'lots' });
    const refused = loadBundled(compiled.bundled!, { GPT4O_RPM: 'lots' });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.errors).toContainEqual(expect.stringMatching(/^model_list\[0\]\.litellm_params\.rpm: /));
    expect(!refused.ok && refused.errors).toContainEqual(expect.stringMatching(/^model_list\[0\]\.litellm_params\.api_key: os\.environ\/OPENAI_API_KEY/));
  });

  it('reads names that environment_variables sets in the file itself', () => {
    sameAsRuntime(`
environment_variables:
  UPSTREAM: http://127.0.0.1:9/v1
model_list:
  - model_name: m
    litellm_params: { model: openai/m, api_base: os.environ/UPSTREAM, api_key: k }
`);
  });

  it('refuses a broken file with each fault and its key path', () => {
    const r = compileConfig(`
model_list:
  - model_name: m
    litellm_params: { api_key: os.environ/KEY, rpm: -1 }
router_settings:
  routing_strategy: fastest
`);
    expect(r.ok).toBe(false);
    expect(r.bundled).toBeUndefined();
    expect([...r.errors].sort()).toEqual([
      expect.stringMatching(/^model_list\[0\]\.litellm_params\.model: /),
      expect.stringMatching(/^model_list\[0\]\.litellm_params\.rpm: .*-1/),
      expect.stringMatching(/^router_settings\.routing_strategy: .*fastest/),
    ]);
  });

  it('refuses what is not YAML, and a file without model_list', () => {
    expect(compileConfig('model_list: [').errors[0]).toMatch(/^\(yaml\): /);
    expect(compileConfig('router_settings: {}\n').errors).toEqual([expect.stringMatching(/^model_list: /)]);
  });

  it('warns about each setting only the companion Worker serves: the gateway alone refuses them', () => {
    const r = compileConfig(`
model_list:
  - model_name: m
    litellm_params: { model: mock/m }
litellm_settings: { success_callback: [langfuse, prometheus], failure_callback: [sentry] }
general_settings: { store_prompts_in_spend_logs: true }
`);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^litellm_settings\.success_callback: langfuse needs the companion Worker: npm run deploy/),
      expect.stringMatching(/^litellm_settings\.failure_callback: sentry needs the companion Worker/),
      expect.stringMatching(/^general_settings\.store_prompts_in_spend_logs: needs the companion Worker/),
    ]);
    // Not the Worker's own warnings (deployed with the companion, it loads as it is).
    expect((r.bundled as { warnings?: string[] }).warnings).toEqual([]);
  });
});
