// Vertex AI answers failures as google.rpc.Status; its Anthropic models may answer in Anthropic's error shape.
import type { Deployment } from '../../router/deployment';
import type { RouterError } from '../../router/errors';
import { googleError } from '../gemini/errors';
import { upstreamError } from '../http';

export async function vertexErrorFrom(res: Response, d: Deployment): Promise<RouterError> {
  const text = await res.text().catch(() => '');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    return googleError(d, res.status, { message: text.slice(0, 500) || res.statusText }, res.headers.get('retry-after'));
  }
  const google = (Array.isArray(json) ? json[0] : json)?.error;
  if (typeof google?.status === 'string') return googleError(d, res.status, google, res.headers.get('retry-after'));
  const anthropic = json?.error;
  return upstreamError(res, d, { message: anthropic?.message ?? text.slice(0, 500), code: anthropic?.type });
}
