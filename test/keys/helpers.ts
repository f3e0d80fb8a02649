// A gateway with a master key and cost-priced deployments, and helpers to drive its key API.
import type { Env } from '../../src/env';
import type { GatewayOptions } from '../../src/gateway';
import type { TestGateway } from '../helpers/gateway';
import { testGateway, user } from '../helpers/gateway';

export const MASTER = 'sk-master-test-0000';

// The fake upstream's chat answers are 10 prompt + 5 completion tokens: 10 x 0.00001 + 5 x 0.00002 = $0.0002.
export const CALL_COST = 0.0002;

export const CONFIG = (extra = '', general = '') => `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
    model_info: { id: gpt-4o-1, input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 }
  - model_name: cheap
    litellm_params: { model: openai/cheap, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
    model_info: { id: cheap-1, input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 }
  - model_name: embed
    litellm_params: { model: openai/text-embedding-3-small, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
    model_info: { id: embed-1, input_cost_per_token: 0.0001 }
router_settings:
  model_group_alias: { gpt4: gpt-4o }
general_settings:
  master_key: ${MASTER}
${general}
${extra}`;

export interface KeyGateway extends TestGateway {
  admin(path: string, json?: unknown): Promise<Response>;
  generate(body?: Record<string, unknown>): Promise<{ key: string; token_id: string; [k: string]: unknown }>;
  info(key: string): Promise<any>;
  call(key: string, model?: string, extra?: Record<string, unknown>): Promise<Response>;
}

export function keyGateway(options: Omit<GatewayOptions, 'configText'> = {}, extraConfig = '', baseEnv: Partial<Env> = {}, general = ''): KeyGateway {
  const gw = testGateway(CONFIG(extraConfig, general), options, baseEnv) as KeyGateway;
  gw.admin = (path, json) =>
    gw.request(path, { method: json === undefined ? 'GET' : 'POST', json, headers: { authorization: `Bearer ${MASTER}` } });
  gw.generate = async (body = {}) => {
    const res = await gw.admin('/key/generate', body);
    if (res.status !== 200) throw new Error(`generate: ${res.status} ${await res.text()}`);
    return res.json();
  };
  gw.info = async (key) => (await gw.admin(`/key/info?key=${encodeURIComponent(key)}`)).json<any>();
  gw.call = (key, model = 'gpt-4o', extra = {}) => gw.chat({ model, messages: user(), ...extra }, { authorization: `Bearer ${key}` });
  return gw;
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 1)) {
  let t = start;
  const now = () => t;
  now.advance = (ms: number) => (t += ms);
  return now;
}
