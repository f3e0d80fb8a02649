// Key management (src/keys/api.ts, users.ts, budget-api.ts, spend.ts) in the companion Worker, over the KeyStore
// objects it defines (the KEYS binding), the ones the gateway's request path reads. The gateway has authenticated the caller and says
// who it is in the scope header: `*` (the master key) may call every route, a virtual key's hash only what a key
// may read about itself (KEY_READABLE_ROUTES). Without the header nothing is answered.
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { readBody } from '../http/body';
import { SCOPE_HEADER } from '../http/companion';
import { RouterError } from '../router/errors';
import type { AdminEnv, KeyAdmin } from '../keys/api';
import { keyRoutes } from '../keys/api';
import { ADMIN_ROUTES, KEY_READABLE_ROUTES } from '../keys/admin-routes';
import { budgetRoutes } from '../keys/budget-api';
import { KeyAdminDirectory } from '../keys/admin-directory';
import { unknownKey } from '../keys/refusal';
import { spendRoutes } from '../keys/spend';
import { userRoutes } from '../keys/users';
import type { CompanionEnv } from './env';

export interface KeyAdminDeps {
  /** The gateway's stateNamespace (tests): the same objects as the gateway under test. */
  stateNamespace?: string;
  now?: () => number;
}

type Env = AdminEnv & { Bindings: CompanionEnv };

export function keyAdminRoutes(deps: KeyAdminDeps = {}) {
  const now = deps.now ?? Date.now;
  // One directory per binding (it keeps object ids), so per isolate when deployed.
  const directories = new WeakMap<object, KeyAdminDirectory>();
  const adminOf = (ns: NonNullable<CompanionEnv['KEYS']>): KeyAdmin => {
    let directory = directories.get(ns);
    if (!directory) directories.set(ns, (directory = new KeyAdminDirectory(ns, deps.stateNamespace)));
    return { directory, now };
  };

  const scoped = async (c: Context<Env>, next: () => Promise<void>) => {
    const scope = c.req.header(SCOPE_HEADER);
    if (!scope) throw new RouterError('PermissionDeniedError', 'The companion answers only the gateway', { code: 'no_scope' });
    const ns = c.env.KEYS;
    if (!ns) throw new RouterError('NotFoundError', 'Key management is off: the companion has no KEYS binding (wrangler.companion.toml)', { code: 'virtual_keys_disabled' });
    const admin = adminOf(ns);
    c.set('admin', admin);
    if (scope !== '*') {
      if (!KEY_READABLE_ROUTES.includes(c.req.path)) {
        throw new RouterError('PermissionDeniedError', `Only the master key can call ${c.req.method} ${c.req.path}`, { type: 'auth_error', code: '403' });
      }
      const key = await admin.directory.key(scope, now());
      if (!key) throw unknownKey();
      c.set('virtualKey', { token: scope, key });
    }
    await readBody(c);
    await next();
  };

  const app = new Hono<Env>();
  for (const path of ADMIN_ROUTES) app.use(path, scoped);
  for (const routes of [keyRoutes, userRoutes, budgetRoutes, spendRoutes]) app.route('/', routes);
  return app;
}
