import { describe, expect, it } from 'vitest';
import shipped from '../../router.config.yaml';
import { toRouterOptions } from '../../src/config/load';
import { loadProxyConfig } from '../../src/config/yaml';
import { Router } from '../../src/router/router';
import { streamChunks } from '../../src/stream/chunks';

const guide = readGuideProductionExample();

describe('loading router.config.yaml', () => {
  it('loads the shipped config without a fault or a warning', () => {
    const r = loadProxyConfig(shipped, {});
    expect(r).toMatchObject({ ok: true, warnings: [] });
  });

  it("loads the reference guide's complete production example, secrets from env", () => {
    const r = loadProxyConfig(guide, {
      AZURE_KEY_EAST: 'k-east',
      AZURE_KEY_WEST: 'k-west',
      OPENAI_API_KEY: 'k-oa',
      ANTHROPIC_API_KEY: 'k-an',
      REDIS_PASSWORD: 'pw',
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.value.model_list[0].litellm_params.api_key).toBe('k-east');
    expect(r.value.router_settings.retry_policy?.RateLimitError).toEqual({ max_retries: 5 });
    const opts = toRouterOptions(r.value);
    // litellm_settings.fallbacks reach the Router next to router_settings
    expect(opts.fallbacks).toEqual([{ 'gpt-4': ['gpt-3.5-turbo', 'claude-2'] }]);
    expect(opts.routing_strategy).toBe('latency-based-routing');
    expect(opts.request_timeout).toBe(300);
  });

  it('names the key path and the fault', () => {
    const r = loadProxyConfig(`
model_list:
  - model_name: a
    litellm_params: { model: mock/a }
  - model_name: b
    litellm_params: { model: mock/b }
  - model_name: c
    litellm_params: { api_key: x }
router_settings:
  num_retries: lots
  routing_strategy: fastest-please
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContain('model_list[2].litellm_params.model: required');
    expect(r.errors).toContain('router_settings.num_retries: expected a number, got string');
    expect(r.errors.find((e) => e.startsWith('router_settings.routing_strategy'))).toMatch(/expected one of simple-shuffle, .*least-busy/);
  });

  it('warns about unknown keys and still loads', () => {
    const r = loadProxyConfig(`
model_list:
  - model_name: a
    litellm_params: { model: mock/a }
router_settings:
  some_future_setting: 1
litellm_settings:
  telemetry: false
general_settings:
  database_url: postgres://x
`);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      'router_settings.some_future_setting: unknown key, ignored',
      'litellm_settings.telemetry: unknown key, ignored',
      'general_settings.database_url: unknown key, ignored',
    ]);
  });

  it('refuses a deployment whose os.environ/ secret is missing', () => {
    const r = loadProxyConfig(`
model_list:
  - model_name: a
    litellm_params: { model: openai/gpt-4o, api_key: os.environ/NOPE_KEY }
`);
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.errors[0]).toMatch(/^model_list\[0\]\.litellm_params\.api_key: os.environ\/NOPE_KEY is not set/);
  });

  it('takes os.environ/ names from environment_variables too, as LiteLLM sets them', () => {
    const r = loadProxyConfig(`
environment_variables:
  FROM_CONFIG: set-in-file
  CHAINED: os.environ/WORKER_SECRET
model_list:
  - model_name: a
    litellm_params: { model: openai/a, api_key: os.environ/FROM_CONFIG, organization: os.environ/CHAINED }
`, { WORKER_SECRET: 'from-worker' });
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.value.model_list[0].litellm_params).toMatchObject({ api_key: 'set-in-file', organization: 'from-worker' });
  });

  it('refuses broken YAML, and a list where a mapping belongs', () => {
    expect(loadProxyConfig('model_list: [').ok).toBe(false);
    const r = loadProxyConfig('model_list:\n  - model_name: a\n    litellm_params: [1]\n');
    expect(r).toMatchObject({ ok: false, errors: ['model_list[0].litellm_params: expected a mapping, got a list'] });
  });

  it('refuses two deployments with the same model_info.id', () => {
    const r = loadProxyConfig(`
model_list:
  - { model_name: a, litellm_params: { model: mock/a }, model_info: { id: x } }
  - { model_name: b, litellm_params: { model: mock/b }, model_info: { id: x } }
`);
    expect(r).toMatchObject({ ok: false, errors: ['model_list[1].model_info.id: "x" is already used by model_list[0]'] });
  });
});

describe('new Router({...})', () => {
  it('builds from an object and completes through it', async () => {
    const router = new Router({
      model_list: [{ model_name: 'gpt-4', litellm_params: { model: 'mock/gpt-4', mock_response: 'from the library' } }],
      routing_strategy: 'simple-shuffle',
      num_retries: 1,
    });
    const result = await router.completion({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.kind).toBe('json');
    if (result.kind === 'json') expect(result.body.choices[0].message.content).toBe('from the library');
    expect(result.meta.group).toBe('gpt-4');
  });

  it('streams through the library too, as SSE bytes or as chunk objects', async () => {
    const router = new Router({ model_list: [{ model_name: 'm', litellm_params: { model: 'mock/m', mock_response: 'one two three' } }] });
    const result = await router.completion({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(result.kind).toBe('stream');
    if (result.kind !== 'stream') return;
    const text = await new Response(result.stream).text();
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"content":"three"');
    const again = await router.completion({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    if (again.kind !== 'stream') return;
    let content = '';
    for await (const chunk of streamChunks(again.stream)) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('one two three');
  });

  it('refuses a bad object with the same key paths as the YAML', () => {
    expect(() => new Router({ model_list: [{ model_name: 'x', litellm_params: {} }] } as never)).toThrow(
      'Invalid router config: model_list[0].litellm_params.model: required',
    );
    // An unserved provider loads, with a warning at its key path (its calls answer 400).
    expect(new Router({ model_list: [{ model_name: 'x', litellm_params: { model: 'nosuch/x' } }] }).warnings).toEqual([
      'model_list[0].litellm_params.model: no provider for "nosuch/x" here: model group "x" answers 400 when it reaches it',
    ]);
    expect(() => new Router({ model_list: [{ model_name: 'x', litellm_params: { model: 'azure/x' } }] })).toThrow(
      /model_list\[0\]\.litellm_params\.api_base: required for azure/,
    );
  });
});

function readGuideProductionExample(): string {
  // The guide's "Complete Production Example" (its indentation restored), kept here verbatim in meaning.
  return `
model_list:
  - model_name: gpt-4
    litellm_params:
      model: azure/gpt-4
      api_base: https://eastus.openai.azure.com/
      api_key: os.environ/AZURE_KEY_EAST
      api_version: "2024-02-01"
    tpm: 100000
    rpm: 1000
    model_info:
      input_cost_per_token: 0.00003
      output_cost_per_token: 0.00006
  - model_name: gpt-4
    litellm_params:
      model: azure/gpt-4
      api_base: https://westus.openai.azure.com/
      api_key: os.environ/AZURE_KEY_WEST
      api_version: "2024-02-01"
    tpm: 150000
    rpm: 1500
    model_info:
      input_cost_per_token: 0.00003
      output_cost_per_token: 0.00006
  - model_name: gpt-4
    litellm_params:
      model: gpt-4
      api_key: os.environ/OPENAI_API_KEY
    tpm: 90000
    rpm: 900
    model_info:
      input_cost_per_token: 0.00003
      output_cost_per_token: 0.00006
  - model_name: gpt-3.5-turbo
    litellm_params:
      model: gpt-3.5-turbo
      api_key: os.environ/OPENAI_API_KEY
    tpm: 1000000
    rpm: 10000
  - model_name: claude-2
    litellm_params:
      model: claude-2
      api_key: os.environ/ANTHROPIC_API_KEY
    tpm: 100000
    rpm: 1000
router_settings:
  routing_strategy: latency-based-routing
  routing_strategy_args:
    ttl: 60
  model_group_alias:
    gpt-4: prod-gpt-4
    gpt4: prod-gpt-4
  num_retries: 3
  timeout: 30
  retry_policy:
    RateLimitError:
      max_retries: 5
    Timeout:
      max_retries: 2
  allowed_fails: 3
  cooldown_time: 120
  redis_host: localhost
  redis_port: 6379
  redis_password: os.environ/REDIS_PASSWORD
  cache_responses: true
litellm_settings:
  fallbacks:
    - gpt-4: ["gpt-3.5-turbo", "claude-2"]
  context_window_fallbacks:
    - gpt-3.5-turbo: ["gpt-3.5-turbo-16k"]
  success_callback: ["langfuse", "prometheus"]
  failure_callback: ["sentry"]
  set_verbose: false
  drop_params: true
  request_timeout: 300
`;
}
