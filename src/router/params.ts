// What a deployment is sent: the client's parameters, the deployment's own defaults (litellm_params such as
// temperature), and drop_params for parameters its provider does not take.
import type { Deployment } from './deployment';
import { badRequest } from './errors';

export function applyParamPolicy<B extends Record<string, unknown>>(
  body: B,
  d: Deployment,
  known: ReadonlySet<string>,
  dropParams: boolean | undefined,
): B {
  const out: Record<string, unknown> = { ...body };
  for (const [k, v] of Object.entries(d.params)) {
    if (k !== 'model' && known.has(k) && out[k] === undefined) out[k] = v;
  }
  const supported = d.provider.supportedParams;
  if (supported) {
    for (const k of Object.keys(out)) {
      if (supported.has(k)) continue;
      if (dropParams) delete out[k];
      else {
        throw badRequest(
          `${d.provider.name} does not support parameter '${k}' (deployment ${d.id}). Set drop_params: true to drop it.`,
          k,
          'unsupported_parameter',
        );
      }
    }
  }
  return out as B;
}
