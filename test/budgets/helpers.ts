// A gateway with a priced openai deployment and a priced groq one in one group, budgets set by each test.
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

export function budgetGateway(config: string, options: Omit<GatewayOptions, 'configText'> = {}) {
  const gw = testGateway(config, options);
  const auth = { authorization: `Bearer ${MASTER}` };
  return Object.assign(gw, {
    call: (model = 'gpt-4o', extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      gw.chat({ model, messages: user(), ...extra }, { ...auth, ...headers }),
    admin: (path: string, json?: unknown) => gw.request(path, { method: json === undefined ? 'GET' : 'POST', json, headers: auth }),
  });
}
