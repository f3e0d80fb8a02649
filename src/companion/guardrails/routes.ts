// The guardrail services' calls, for the gateway: it sends the guardrail's type, settings and texts
// (src/guardrails/protocol.ts) and decides on the answer (its timeout, fail_open); here the vendor's wire format is
// spoken (vendors.ts). An internal route: the gateway calls it with the master key's scope, and never forwards a
// client to it. A vendor that fails is a 503 whose message says why, which the gateway reads as the service failing.
import { Hono } from 'hono/tiny';
import { SCOPE_HEADER } from '../../http/companion';
import type { GuardrailAnswer, GuardrailCall } from '../../guardrails/protocol';
import { GUARDRAILS_PATH } from '../../guardrails/protocol';
import { RouterError } from '../../router/errors';
import type { CompanionEnv } from '../env';
import { VENDORS } from './vendors';

export interface GuardrailDeps {
  /** Outbound fetch to the vendors (tests pass their fake). */
  fetch?: typeof fetch;
}

export function guardrailRoutes(deps: GuardrailDeps = {}) {
  return new Hono<{ Bindings: CompanionEnv }>().post(GUARDRAILS_PATH, async (c) => {
    if (c.req.header(SCOPE_HEADER) !== '*') throw new RouterError('PermissionDeniedError', 'Guardrail calls are the gateway\'s', { code: 'no_scope' });
    const call = await c.req.json<GuardrailCall>();
    const vendor = VENDORS[call.type];
    if (!vendor) throw new RouterError('BadRequestError', `No guardrail service "${call.type}"`, { code: 'unknown_guardrail' });
    const tokens = call.tokens && new Map(call.tokens);
    let answer: GuardrailAnswer;
    try {
      answer = await vendor(call.params, deps.fetch ?? fetch)(call.texts, call.side, tokens, AbortSignal.timeout(call.timeoutMs));
    } catch (e) {
      throw new RouterError('ServiceUnavailableError', (e as Error).message, { code: 'guardrail_service_failed' });
    }
    if (tokens) answer.tokens = [...tokens];
    return c.json(answer);
  });
}
