// A gateway with a priced openai deployment and a priced groq one in one group, budgets set by each test.
import { env } from 'cloudflare:test';
import type { Env } from '../../src/env';
import type { GatewayOptions } from '../../src/gateway';
import { testGateway, user } from '../helpers/gateway';

export const MASTER = 'sk-master-test-0000';
/** 10 prompt + 5 completion tokens (the fake upstream's answer) at these prices: $0.0002 a call. */
export const CALL_COST = 0.0002;

export const budgetConfig = (routerSettings = '', litellmParams = '', litellmSettings = '') => `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-provider-secret-1, api_base: https://up.test/v1${litellmParams} }
    model_info: { id: oai-1, input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 }
  - model_name: gpt-4o
    litellm_params: { model: groq/llama, api_key: sk-provider-secret-2, api_base: https://up.test/v1 }
    model_info: { id: groq-1, input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 }
  - model_name: solo
    litellm_params: { model: openai/solo, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
    model_info: { id: solo-1, input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 }
router_settings:
  num_retries: 0
${routerSettings}
litellm_settings:
  drop_params: true
${litellmSettings}
general_settings:
  master_key: ${MASTER}
`;

export function budgetGateway(config: string, options: Omit<GatewayOptions, 'configText'> = {}, baseEnv: Partial<Env> = {}) {
  const gw = testGateway(config, options, baseEnv);
  const auth = { authorization: `Bearer ${MASTER}` };
  return Object.assign(gw, {
    call: (model = 'gpt-4o', extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      gw.chat({ model, messages: user(), ...extra }, { ...auth, ...headers }),
    admin: (path: string, json?: unknown) => gw.request(path, { method: json === undefined ? 'GET' : 'POST', json, headers: auth }),
  });
}

/** The KEYS namespace, recording each call to its objects as `<object name> <method>` (the test's namespace prefix left out). */
export function countingKeys(prefix: string) {
  const inner = env.KEYS!;
  const calls: string[] = [];
  const names = new Map<string, string>();
  const ns = {
    idFromName(name: string) {
      const id = inner.idFromName(name);
      names.set(id.toString(), name.startsWith(prefix) ? name.slice(prefix.length) : name);
      return id;
    },
    get(id: DurableObjectId) {
      const stub = inner.get(id) as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
      const name = names.get(id.toString());
      return new Proxy(stub, {
        get: (target, prop) => (prop === 'then' ? undefined : (...args: unknown[]) => (calls.push(`${name} ${String(prop)}`), target[prop](...args))),
      });
    },
  };
  return { env: { KEYS: ns as unknown as Env['KEYS'] }, calls };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 1)) {
  let t = start;
  const now = () => t;
  now.advance = (ms: number) => (t += ms);
  return now;
}
