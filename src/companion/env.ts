import type { KeyStore } from '../keys/store-object';
import type { MetricsState } from '../observability/shards/object';

/** The companion Worker's bindings (wrangler.companion.toml) and its vars and secrets (the OTEL_*, LANGFUSE_*, SENTRY_* exporter settings). */
export interface CompanionEnv {
  /** The spend log: one row per request. */
  SPEND_DB?: D1Database;
  /** The metrics shards (defined here, bound by the gateway): what is dropped here is counted there. */
  METRICS?: DurableObjectNamespace<MetricsState>;
  /** The virtual keys, teams, users, tags and customers (defined here, read by the gateway): key management. */
  KEYS?: DurableObjectNamespace<KeyStore>;
  [name: string]: unknown;
}
