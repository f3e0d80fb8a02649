// Amazon Bedrock Guardrails (guardrail: bedrock): ApplyGuardrail, POST /guardrail/{id}/version/{version}/apply,
// SigV4-signed with the Bedrock provider's signer. GUARDRAIL_INTERVENED blocks, unless every assessment only
// anonymized (masked) text and the guardrail sent the masked texts back: then the request goes on with those.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html
import { str } from '../../config/validate';
import { endpointOf, signedHeaders } from '../../providers/bedrock/sign';
import type { Kind } from '../kinds';
import { requireKeys } from './http';
import { scrub } from '../../security/scrub';

export const bedrock: Kind = {
  params: { guardrailIdentifier: str, guardrailVersion: str, aws_region_name: str, aws_access_key_id: str, aws_secret_access_key: str, aws_session_token: str, aws_bedrock_runtime_endpoint: str },
  check(p, path, out) {
    requireKeys(p, path, out, ['guardrailIdentifier', 'guardrailVersion']);
    if (!p.api_key) requireKeys(p, path, out, ['aws_access_key_id', 'aws_secret_access_key']);
  },
  service(p, deps) {
    const url = `${endpointOf(p as never)}/guardrail/${encodeURIComponent(p.guardrailIdentifier as string)}/version/${encodeURIComponent(p.guardrailVersion as string)}/apply`;
    return async (texts, side, _tokens, signal) => {
      const body = JSON.stringify({ source: side === 'input' ? 'INPUT' : 'OUTPUT', content: texts.map((text) => ({ text: { text } })) });
      const headers = await signedHeaders({ params: p as never }, url, body, 'application/json');
      const res = await deps.fetch(url, { method: 'POST', headers, body, signal });
      const raw = await res.text();
      if (!res.ok) throw new Error(`Bedrock ApplyGuardrail answered ${res.status}: ${scrub(raw).slice(0, 200)}`);
      const r = JSON.parse(raw);
      if (r.action === 'NONE') return { kind: 'pass' };
      if (r.action !== 'GUARDRAIL_INTERVENED') throw new Error(`Bedrock ApplyGuardrail answered an unknown action ${JSON.stringify(r.action)}`);
      const actions = policyActions(r.assessments);
      const outputs: unknown[] = Array.isArray(r.outputs) ? r.outputs.map((o: any) => o?.text) : [];
      if (actions.every((a) => a === 'ANONYMIZED') && actions.length && outputs.length === texts.length && outputs.every((t) => typeof t === 'string')) {
        return { kind: 'pass', texts: outputs as string[], found: ['anonymized'] };
      }
      const message = typeof r.outputs?.[0]?.text === 'string' ? r.outputs[0].text : 'Violated guardrail policy';
      return { kind: 'block', message: `Violated guardrail policy: ${message}` };
    };
  },
};

/** Every `action` in the assessments' policies (BLOCKED, ANONYMIZED, NONE). */
function policyActions(assessments: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'action' && typeof x === 'string' && x !== 'NONE') out.push(x);
        else walk(x);
      }
    }
  };
  walk(assessments);
  return out;
}
