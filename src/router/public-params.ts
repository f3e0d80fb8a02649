// A deployment's litellm_params as shown outside the gateway (/model/info, /health): no secret, by name or shape.
import { SECRET_PARAMS } from '../config/secrets';
import { scrub } from '../providers/http';

/** Keys whose values are credentials wherever they appear (api_key, extra_headers.Authorization, ...); `*_tokens` are counts. */
const SECRET_KEY = /key|secret|token|password|credential|authorization/i;
const COUNT_KEY = /tokens$/i;

export function publicParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (SECRET_PARAMS.includes(k) || (SECRET_KEY.test(k) && !COUNT_KEY.test(k))) continue;
    if (typeof v === 'string') out[k] = scrub(v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) out[k] = publicParams(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}
