// Key management in the gateway: the caller authenticated as for any route (the master key, or a virtual key on
// what it may read about itself), then the companion Worker answers (src/companion/keys.ts).
import type { Context } from 'hono';
import { forwardToCompanion } from '../http/companion';
import { RouterError } from '../router/errors';
import type { KeyedEnv } from './auth';

/** LiteLLM's POSTs that change nothing: they leave the isolate's cached records alone. */
const READS = new Set(['/tag/info']);

export async function adminForward(c: Context<KeyedEnv>): Promise<Response> {
  const { keys } = c.var.gateway;
  if (!keys) {
    throw new RouterError('NotFoundError', 'Virtual keys are off: they need the KEYS Durable Object binding (wrangler.toml) and general_settings.master_key', {
      code: 'virtual_keys_disabled',
    });
  }
  const res = await forwardToCompanion(c, 'Key management needs the companion Worker (npm run deploy), as LiteLLM\'s needs its database');
  // A change applies in this isolate at once; other isolates read it within their cache's bound (MAX_STALE_MS).
  if (c.req.method === 'POST' && res.ok && !READS.has(c.req.path)) keys.forgetAll();
  return res;
}
