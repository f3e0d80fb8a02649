// The companion's HTTP side: the spend routes, key management, the store of models added at runtime and the
// guardrail services' calls, their errors in the OpenAI shape the gateway answers in (it forwards them as they come).
import { Hono } from 'hono/tiny';
import { RouterError } from '../router/errors';
import { logLine } from '../security/scrub';
import type { CompanionEnv } from './env';
import type { KeyAdminDeps } from './keys';
import { keyAdminRoutes } from './keys';
import { spendRoutes } from './spend/api/routes';
import { modelStoreRoutes } from './models/routes';
import type { GuardrailDeps } from './guardrails/routes';
import { guardrailRoutes } from './guardrails/routes';

export function companionApp(deps: KeyAdminDeps & GuardrailDeps = {}) {
  const app = new Hono<{ Bindings: CompanionEnv }>();
  app.route('/', spendRoutes);
  app.route('/', keyAdminRoutes(deps));
  app.route('/', modelStoreRoutes);
  app.route('/', guardrailRoutes(deps));
  // As the gateway says it: the gateway forwards every path under /key/, /team/, ... as it comes.
  app.notFound((c) => new RouterError('NotFoundError', `Unknown route: ${c.req.method} ${c.req.path}`, { code: 'unknown_route' }).toResponse());
  app.onError((err) => {
    if (err instanceof RouterError) return err.toResponse();
    logLine('error', { msg: 'companion: unhandled', error: err instanceof Error ? `${err.name}: ${err.message}` : 'unknown' });
    return new RouterError('InternalServerError', 'Internal error in the companion').toResponse();
  });
  return app;
}
