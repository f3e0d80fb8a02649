import type { MetricsState } from '../observability/shards/object';

/** The companion Worker's bindings (wrangler.companion.toml) and its vars and secrets (the OTEL_* exporter settings). */
export interface CompanionEnv {
  /** The spend log: one row per request. */
  SPEND_DB?: D1Database;
  /** The gateway's metrics shards (script_name: the gateway): what is dropped here is counted there. */
  METRICS?: DurableObjectNamespace<MetricsState>;
  [name: string]: unknown;
}
