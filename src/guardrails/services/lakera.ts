// Lakera Guard v2 (guardrail: lakera_v2): POST {api_base}/v2/guard with the conversation as messages; `flagged`
// blocks. https://docs.lakera.ai/docs/api/guard
import { bool, str } from '../../config/validate';
import type { Kind } from '../kinds';
import { base, postJson, requireKeys } from './http';

export const lakera: Kind = {
  params: { project_id: str, breakdown: bool, payload: bool, dev_info: bool },
  check: (p, path, out) => requireKeys(p, path, out, ['api_key']),
  service(p, deps) {
    const url = `${base((p.api_base as string | undefined) ?? 'https://api.lakera.ai')}/v2/guard`;
    return async (texts, side, _tokens, signal) => {
      const role = side === 'input' ? 'user' : 'assistant';
      const body = { messages: texts.filter(Boolean).map((content) => ({ role, content })), project_id: p.project_id, breakdown: p.breakdown, payload: p.payload };
      const r = await postJson(deps.fetch, url, { authorization: `Bearer ${p.api_key}` }, body, signal);
      if (typeof r?.flagged !== 'boolean') throw new Error('Lakera answered without a flagged verdict');
      if (!r.flagged) return { kind: 'pass' };
      const detectors = Array.isArray(r.breakdown) ? r.breakdown.filter((b: any) => b?.detected).map((b: any) => String(b.detector_type)) : [];
      return { kind: 'block', message: `Violated guardrail policy: Lakera Guard flagged the ${side === 'input' ? 'request' : 'answer'}${detectors.length ? ` (${detectors.join(', ')})` : ''}`, found: detectors };
    };
  },
};
