// Found by npm run soak: a deployment answering 200 with a body that is not JSON gave the client
// "Internal error in the gateway", as if the gateway had failed. It is the deployment's fault: named, retried.
import { describe, expect, it } from 'vitest';
import { testGateway, user } from '../helpers/gateway';

const CONFIG = `
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_key: sk-garbage-test-123456, api_base: https://upstream.test/v1 }
    model_info: { id: oa-1 }
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-garbage-123456 }
    model_info: { id: an-1 }
router_settings:
  num_retries: 1
  retry_after: 0
`;

describe('an upstream 200 whose body is not a JSON object', () => {
  for (const [what, body] of [
    ['an HTML page', '<html>502 Bad Gateway</html>'],
    ['a bare JSON value', 'null'],
    ['a JSON array', '[1]'],
  ]) {
    it(`${what}: a 500 naming the deployment, retried, on chat, embeddings and Anthropic`, async () => {
      let calls = 0;
      const garbage = async () => (calls++, new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }));
      const app = testGateway(CONFIG, { fetch: garbage, sleep: async () => {} });
      for (const [path, json, id] of [
        ['/v1/chat/completions', { model: 'gpt', messages: user() }, 'oa-1'],
        ['/v1/embeddings', { model: 'gpt', input: 'x' }, 'oa-1'],
        ['/v1/chat/completions', { model: 'claude', messages: user() }, 'an-1'],
      ] as const) {
        calls = 0;
        const res = await app.request(path, { method: 'POST', json });
        expect(res.status).toBe(500);
        const err = (await res.json<any>()).error;
        expect(err).toMatchObject({ code: 'invalid_upstream_response', message: `Deployment ${id} answered 200 with a body that is not a JSON object` });
        expect(calls).toBe(2); // retried once, as num_retries says
      }
    });
  }
});
