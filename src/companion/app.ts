// The companion's HTTP side: the spend routes, the store of models added at runtime, their errors in the OpenAI shape the gateway answers in.
import { Hono } from 'hono/tiny';
import { RouterError } from '../router/errors';
import { logLine } from '../security/scrub';
import type { CompanionEnv } from './env';
import { spendRoutes } from './spend/api/routes';
import { modelStoreRoutes } from './models/routes';

export function companionApp() {
  const app = new Hono<{ Bindings: CompanionEnv }>();
  app.route('/', spendRoutes);
  app.route('/', modelStoreRoutes);
  app.notFound(() => new RouterError('NotFoundError', 'Not a companion route').toResponse());
  app.onError((err) => {
    if (err instanceof RouterError) return err.toResponse();
    logLine('error', { msg: 'companion: unhandled', error: err instanceof Error ? `${err.name}: ${err.message}` : 'unknown' });
    return new RouterError('InternalServerError', 'Internal error in the companion').toResponse();
  });
  return app;
}
