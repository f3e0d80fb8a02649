// responses_api_deployment_check: a previous_response_id goes back to the deployment that issued it. The id a
// client sees is LiteLLM's managed form, naming the deployment; the upstream always gets its own id back.
import { describe, expect, it } from 'vitest';
import { decodeResponseId, encodeResponseId } from '../../../src/api/responses/managed-id';
import { textResponse, textResponseStream } from '../../fixtures/responses';
import { testGateway } from '../../helpers/gateway';

const config = (checks: string) => `
model_list:
  - { model_name: g, litellm_params: { model: openai/gpt-4.1, api_key: k, api_base: https://a.test/v1 }, model_info: { id: da } }
  - { model_name: g, litellm_params: { model: openai/gpt-4.1, api_key: k, api_base: https://b.test/v1 }, model_info: { id: db } }
router_settings:
  optional_pre_call_checks: ${checks}
`;

const host = (id: string) => (id === 'da' ? 'a.test' : 'b.test');
const responses = (gw: ReturnType<typeof testGateway>, body: object) => gw.request('/v1/responses', { method: 'POST', json: { model: 'g', input: 'hi', ...body } });

describe('responses_api_deployment_check', () => {
  it('names the answering deployment in the id, and sends every follow-up back to it with its own id', async () => {
    const gw = testGateway(config('[responses_api_deployment_check]'));
    gw.upstream.on('/responses', { json: textResponse });
    const first = await responses(gw, {});
    const answer = await first.json<any>();
    const issuer = first.headers.get('x-litellm-model-id')!;
    expect(decodeResponseId(answer.id)).toEqual({ provider: 'openai', deploymentId: issuer, responseId: textResponse.id });
    for (let i = 0; i < 8; i++) {
      const next = await responses(gw, { previous_response_id: answer.id });
      expect(next.headers.get('x-litellm-model-id')).toBe(issuer);
      const call = gw.upstream.calls.at(-1)!;
      expect(call.url).toContain(host(issuer));
      expect(call.body.previous_response_id).toBe(textResponse.id);
    }
  });

  it('a stream: every event names the same managed id', async () => {
    const gw = testGateway(config('[responses_api_deployment_check]'));
    gw.upstream.on('/responses', { stream: textResponseStream, noDone: true });
    const res = await responses(gw, { stream: true });
    const text = await res.text();
    const managed = encodeResponseId('openai', res.headers.get('x-litellm-model-id')!, textResponse.id);
    expect(text).not.toContain(`"id":"${textResponse.id}"`);
    expect(text.split(`"id":"${managed}"`).length - 1).toBe(3); // created, in_progress, completed
  });

  it('when the issuer fails, the request is retried on another deployment, as any request', async () => {
    const gw = testGateway(config('[responses_api_deployment_check]'));
    const id = encodeResponseId('openai', 'da', textResponse.id);
    gw.upstream.on('a.test', { status: 500, json: { error: { message: 'down', type: 'server_error', param: null, code: null } } });
    gw.upstream.on('b.test', { json: textResponse });
    const res = await responses(gw, { previous_response_id: id });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-id')).toBe('db');
  });

  it('without the check: ids pass through untouched, and a managed id still reaches the upstream as its own', async () => {
    const gw = testGateway(config('[]'));
    gw.upstream.on('/responses', { json: textResponse });
    const res = await responses(gw, {});
    expect((await res.json<any>()).id).toBe(textResponse.id);
    await responses(gw, { previous_response_id: encodeResponseId('openai', 'da', 'resp_abc') });
    expect(gw.upstream.calls.at(-1)!.body.previous_response_id).toBe('resp_abc');
  });

  it('LiteLLM decodes our ids and we decode its: the same format', () => {
    // base64 of "litellm:custom_llm_provider:openai;model_id:m1;response_id:resp_x", as LiteLLM builds it.
    const litellm = `resp_${btoa('litellm:custom_llm_provider:openai;model_id:m1;response_id:resp_x')}`;
    expect(decodeResponseId(litellm)).toEqual({ provider: 'openai', deploymentId: 'm1', responseId: 'resp_x' });
    expect(encodeResponseId('openai', 'm1', 'resp_x')).toBe(litellm);
    expect(decodeResponseId('resp_67ccd2bed1ec8190b14f964abc054267')).toBeUndefined();
    expect(decodeResponseId('resp_bGl0ZWxsbTpjdXN0b21fbGxt!!!')).toBeUndefined();
  });
});
