// LiteLLM's spend endpoints, answered by the companion Worker (src/companion/) over its service binding: the
// gateway has authenticated the caller and passes its scope, all rows (the master key) or one key's hash.
import type { Context } from 'hono';
import type { KeyedEnv } from '../keys/auth';
import { RouterError } from '../router/errors';

/** The header that carries the caller's scope to the companion: `*` or a virtual key's SHA-256. */
export const SCOPE_HEADER = 'x-spend-scope';

export const SPEND_ROUTES = ['/spend/logs', '/spend/logs/v2', '/global/spend/report', '/global/spend/models', '/spend/tags'];

export async function spendForward(c: Context<KeyedEnv>): Promise<Response> {
  const companion = c.get('gateway').observability.companion;
  if (!companion) throw new RouterError('NotFoundError', 'Spend logs need the companion Worker (npm run deploy)');
  // A copy: a fetched response's headers are immutable, and the gateway adds its own.
  const res = await companion.fetch(c.req.url, { headers: { [SCOPE_HEADER]: c.get('virtualKey')?.token ?? '*' } });
  return new Response(res.body, res);
}
