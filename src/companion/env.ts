import type { Envelope } from '../spend/entry';

/** The companion Worker's bindings (wrangler.companion.toml) and its vars and secrets (the OTEL_* exporter settings). */
export interface CompanionEnv {
  /** The spend log: one row per request. */
  SPEND_DB?: D1Database;
  [name: string]: unknown;
}

export type { Envelope };
