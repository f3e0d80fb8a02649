import type { MetricsState } from './observability/shards/object';
import type { RouterState } from './state/durable-object';
import type { KeyStore } from './keys/store-object';

/** The Worker's bindings (wrangler.toml) and its vars and secrets, which os.environ/NAME reads. */
export interface Env {
  /** The whole router config as YAML; overrides the bundled router.config.yaml. */
  ROUTER_CONFIG?: string;
  ROUTER_STATE?: DurableObjectNamespace<RouterState>;
  CACHE?: KVNamespace;
  /** Metrics shards, summed at read (/metrics, the dashboard). */
  METRICS?: DurableObjectNamespace<MetricsState>;
  /** Virtual keys and teams, their spend and limits (/key/*, /team/*). */
  KEYS?: DurableObjectNamespace<KeyStore>;
  /** Static assets (public/): the dashboard's page. */
  ASSETS?: Fetcher;
  /** Bench and tests only: a simulated round-trip time (ms) to the RouterState objects (src/state/distance.ts). */
  STATE_RTT_MS?: string;
  [name: string]: unknown;
}
