// The companion Worker (wrangler.companion.toml): what spend logs and traces cost beyond the request path, apart
// from the gateway's bundle. It consumes SPEND_QUEUE (rows into D1, spans to the OTLP collector) and answers the
// spend routes the gateway forwards over its service binding. It has no public route.
import type { CompanionEnv } from './env';
import type { ConsumerDeps } from './consume';
import { consume } from './consume';
import { companionApp } from './app';

export function companion(deps: ConsumerDeps = {}) {
  const app = companionApp();
  return {
    fetch: app.fetch,
    queue: (batch: MessageBatch<string>, env: CompanionEnv) => consume(batch, env, deps),
  } satisfies ExportedHandler<CompanionEnv, string>;
}

export default companion();
