// Finding 5 of issue 17: config faults are refused with their key path and a message a person understands;
// what LiteLLM itself accepts stays a warning.
import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../../src/config/yaml';
import { Router } from '../../src/router/router';
import { testGateway, user } from '../helpers/gateway';

const MODELS = `
model_list:
  - { model_name: a, litellm_params: { model: mock/a } }
  - { model_name: b, litellm_params: { model: mock/b } }
`;

const errorsOf = (yaml: string, env: Record<string, unknown> = {}) => {
  const r = loadProxyConfig(yaml, env);
  return r.ok ? [] : r.errors;
};

describe('config faults', () => {
  it('refuses a self-referencing YAML anchor with its key path, without crashing', () => {
    for (const [yaml, path] of [
      [`${MODELS}router_settings:\n  fallbacks: &loop [*loop]\n`, 'router_settings.fallbacks[0]'],
      [`${MODELS}litellm_settings:\n  cache_params: &c { namespace: *c }\n`, 'litellm_settings.cache_params.namespace'],
      ['model_list: &m [*m]\n', 'model_list[0]'],
    ]) {
      const errors = errorsOf(yaml);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBe(`${path}: a YAML alias refers to an anchor that contains it (a cycle); a config cannot be circular`);
    }
  });

  it('answers a self-referencing config with a 500 naming the fault, not a crash', async () => {
    const gw = testGateway(`${MODELS}router_settings:\n  fallbacks: &loop [*loop]\n`);
    const res = await gw.chat({ model: 'a', messages: user() });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error).toMatchObject({ code: 'invalid_config', message: expect.stringContaining('router_settings.fallbacks[0]: a YAML alias') });
  });

  it('refuses nesting past 64 levels, and YAML too deep to parse', () => {
    const deep = `${MODELS}general_settings:\n  x: ${'['.repeat(70)}${']'.repeat(70)}\n`;
    expect(errorsOf(deep)[0]).toMatch(/^general_settings\.x(\[0\])+: nested more than 64 levels deep$/);
    expect(errorsOf(`x: ${'['.repeat(20_000)}`)[0]).toMatch(/^\(yaml\): /);
  });

  it('refuses alias loops with the key path; warns about aliases to unlisted groups', () => {
    const alias = (map: string) => errorsOf(`${MODELS}router_settings:\n  model_group_alias: ${map}\n`);
    expect(alias('{ x: y, y: x }')).toEqual([
      'router_settings.model_group_alias.x: "y" is an alias, not a model group (aliases are resolved one step, and x -> y -> ... is a loop or a chain)',
      'router_settings.model_group_alias.y: "x" is an alias, not a model group (aliases are resolved one step, and y -> x -> ... is a loop or a chain)',
    ]);
    expect(alias('{ g: g }')).toEqual(['router_settings.model_group_alias.g: "g" is an alias, not a model group (aliases are resolved one step; this one names itself)']);
    // an alias to a group not listed: LiteLLM's guide does it, so a warning
    const unlisted = loadProxyConfig(`${MODELS}router_settings:\n  model_group_alias: { gpt4: { model: nope, hidden: true } }\n`);
    expect(unlisted).toMatchObject({ ok: true, warnings: ['router_settings.model_group_alias.gpt4: no model group named "nope", so this alias answers 404 (model groups: a, b)'] });
    // an alias that is a group's own name never applies: a warning
    const shadow = loadProxyConfig(`${MODELS}router_settings:\n  model_group_alias: { a: b }\n`);
    expect(shadow).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^router_settings\.model_group_alias\.a: a model group is named "a" too/)] });
    expect(loadProxyConfig(`${MODELS}router_settings:\n  model_group_alias: { fast: a }\n`)).toMatchObject({ ok: true, warnings: [] });
  });

  it('warns (as LiteLLM loads them, F10) about fallbacks to unknown groups, with the full key path', () => {
    const r = loadProxyConfig(`${MODELS}router_settings:\n  fallbacks: [{ a: [b, nope] }]\n  default_fallbacks: [gone]\nlitellm_settings:\n  context_window_fallbacks: [{ b: [missing] }]\n`);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      'router_settings.fallbacks[0].a[1]: "nope" is not a model group; this fallback will fail when tried',
      'router_settings.default_fallbacks[0]: "gone" is not a model group; this fallback will fail when tried',
      'litellm_settings.context_window_fallbacks[0].b[0]: "missing" is not a model group; this fallback will fail when tried',
    ]);
  });

  it('refuses an empty model_list, in the YAML and in new Router({...})', () => {
    expect(errorsOf('model_list: []\n')).toEqual(['model_list: must not be empty: list at least one deployment']);
    expect(() => new Router({ model_list: [] })).toThrow(/model_list: must not be empty/);
  });

  it('refuses a model_list that is an unset os.environ/ value, without crashing (found by the config fuzz)', () => {
    expect(errorsOf('model_list: os.environ/MISSING\n')).toEqual([
      "model_list: os.environ/MISSING is not set in the Worker's env (vars, secrets or .dev.vars)",
      'model_list: required',
    ]);
  });

  it('says NaN and Infinity are not finite numbers', () => {
    const errors = errorsOf(`
model_list:
  - { model_name: a, litellm_params: { model: mock/a }, tpm: .nan }
router_settings:
  timeout: .inf
  cooldown_time: -.inf
`);
    expect(errors).toEqual([
      'model_list[0].tpm: expected a finite number, got NaN',
      'router_settings.timeout: expected a finite number, got Infinity',
      'router_settings.cooldown_time: expected a finite number, got -Infinity',
    ]);
  });

  it("refuses a master_key that does not start with sk-, without repeating it", () => {
    for (const [yaml, env] of [
      [`${MODELS}general_settings: { master_key: 12345 }\n`, {}],
      [`${MODELS}general_settings: { master_key: os.environ/MK }\n`, { MK: 'hunter2-secret' }],
    ] as const) {
      const errors = errorsOf(yaml, env);
      expect(errors).toEqual(["general_settings.master_key: must start with 'sk-', as LiteLLM requires"]);
    }
    expect(loadProxyConfig(`${MODELS}general_settings: { master_key: sk-1234 }\n`).ok).toBe(true);
  });
});
