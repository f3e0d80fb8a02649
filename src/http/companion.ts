// The gateway's half of the companion Worker's routes (spend logs, key management): the caller is authenticated
// here, and the request goes on over the COMPANION service binding with its scope, which the companion enforces.
import type { Context } from 'hono';
import type { KeyedEnv } from '../keys/auth';
import { RouterError } from '../router/errors';

/** The header that carries the caller's scope to the companion: `*` for the master key, or a virtual key's SHA-256. */
export const SCOPE_HEADER = 'x-spend-scope';

/** Forwards the request (the body the gateway read, as JSON); without the companion, a 404 saying `needs`. */
export async function forwardToCompanion(c: Context<KeyedEnv>, needs: string): Promise<Response> {
  const companion = c.var.gateway.observability.companion;
  if (!companion) throw new RouterError('NotFoundError', needs, { code: 'companion_missing' });
  const headers: Record<string, string> = { [SCOPE_HEADER]: c.var.virtualKey?.token ?? '*' };
  const body = c.var.body === undefined ? undefined : JSON.stringify(c.var.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await companion.fetch(c.req.url, { method: c.req.method, headers, body });
  // A copy: a fetched response's headers are immutable, and the gateway adds its own.
  return new Response(res.body, res);
}
