// LiteLLM's generic guardrail API (guardrail: generic_guardrail_api): POST {api_base}/beta/litellm_basic_guardrail_api
// with the texts; the answer's action is NONE, BLOCKED (with blocked_reason) or GUARDRAIL_INTERVENED (with texts).
import { obj } from '../../config/validate';
import type { Kind } from '../kinds';
import { base, postJson, requireKeys } from './http';

export const generic: Kind = {
  params: { additional_provider_specific_params: obj({}, { open: true }) },
  check: (p, path, out) => requireKeys(p, path, out, ['api_base', 'api_key']),
  service(p, deps) {
    const url = `${base(p.api_base as string)}/beta/litellm_basic_guardrail_api`;
    return async (texts, side, _tokens, signal) => {
      const body = { texts, request_data: {}, input_type: side === 'input' ? 'request' : 'response', additional_provider_specific_params: p.additional_provider_specific_params ?? {} };
      const r = await postJson(deps.fetch, url, { 'x-api-key': p.api_key as string, authorization: `Bearer ${p.api_key}` }, body, signal);
      if (r?.action === 'NONE') return { kind: 'pass' };
      if (r?.action === 'BLOCKED') return { kind: 'block', message: `Content blocked: ${typeof r.blocked_reason === 'string' ? r.blocked_reason : 'the guardrail API blocked it'}` };
      if (r?.action === 'GUARDRAIL_INTERVENED') {
        if (!Array.isArray(r.texts) || r.texts.length !== texts.length || r.texts.some((t: unknown) => typeof t !== 'string')) throw new Error('the guardrail API intervened without one text for each text sent');
        return { kind: 'pass', texts: r.texts, found: ['intervened'] };
      }
      throw new Error(`the guardrail API answered an unknown action ${JSON.stringify(r?.action)}`);
    };
  },
};
