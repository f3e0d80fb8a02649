// The companion Worker (wrangler.companion.toml): what spend logs, traces and key management cost beyond the
// request path, apart from the gateway's bundle. It consumes SPEND_QUEUE (rows into D1, spans to the OTLP
// collector), answers the spend and key management routes the gateway forwards over its service binding, and
// calls the guardrail services for it. It has no public route. It also defines the Durable Object classes: the
// gateway binds them by script_name, so their server-side code is out of the gateway's bundle while every stub
// the request path calls stays there.
import type { CompanionEnv } from './env';
import type { ConsumerDeps } from './consume';
import { consume } from './consume';
import { companionApp } from './app';
import type { KeyAdminDeps } from './keys';
import type { GuardrailDeps } from './guardrails/routes';

export { RouterState } from '../state/durable-object';
export { MetricsState } from '../observability/shards/object';
export { KeyStore } from '../keys/store-object';

export function companion(deps: ConsumerDeps & KeyAdminDeps & GuardrailDeps = {}) {
  const app = companionApp(deps);
  return {
    fetch: app.fetch,
    queue: (batch: MessageBatch<string>, env: CompanionEnv) => consume(batch, env, deps),
  } satisfies ExportedHandler<CompanionEnv, string>;
}

export default companion();
