/// <reference types="vite/client" />
// The `env` of cloudflare:test is the Worker's env (wrangler.toml bindings).
import type { Env as GatewayEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends GatewayEnv {}
  }
}
