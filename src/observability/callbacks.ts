// litellm_settings.success_callback / failure_callback / callbacks (and set_verbose, json_logs) turned into
// the Router's callbacks. A name listed in success_callback hears successes, in failure_callback failures,
// in callbacks both. A name this gateway does not know is a warning. The exporters (otel, langfuse, sentry) run
// in the companion Worker on the records the gateway sends it, as spend logs do: asked for without it, refused.
import type { ProxyConfig } from '../config/types';
import type { Env } from '../env';
import type { Deployed, RouterCallback } from './events';
import { requestLogger } from './logger';
import { MetricsShards } from './shards';
import { metricsRecorder } from './prometheus/recorder';
import { configSecrets, rememberSecrets, scrub } from '../security/scrub';
import { spendLogCallback } from '../spend/writer';
import { ConfigError } from '../config/load';
import { companionSettings } from '../config/companion';

export const KNOWN_CALLBACKS = ['prometheus', 'langfuse', 'sentry', 'otel'] as const;
type CallbackName = (typeof KNOWN_CALLBACKS)[number];

export interface Observability {
  callbacks: RouterCallback[];
  warnings: string[];
  /** Whether /metrics is served (prometheus is listed). */
  prometheus: boolean;
  /** The metrics shards (MetricsState objects), where the METRICS binding exists. */
  metrics?: MetricsShards;
  /** Whether requests get a W3C trace (otel is on): traceparent continued and answered. */
  tracing: boolean;
  /** The companion Worker, which answers the spend log routes. */
  companion?: Fetcher;
}

export interface ObservabilityDeps {
  /** Keeps this gateway's metrics apart from others on the same binding (tests). */
  namespace?: string;
  /** The metrics shard this gateway writes to (tests); one at random otherwise. */
  metricsShard?: number;
  /** The batch window of metrics, spend logs and traces (tests); 1 s otherwise. */
  flushMs?: number;
  /** A deployment's model and provider by id; read lazily, once the Router exists. */
  describe: (deploymentId: string) => Deployed | undefined;
}

export function buildObservability(config: ProxyConfig, env: Env, deps: ObservabilityDeps): Observability {
  const ls = config.litellm_settings;
  const warnings: string[] = [];
  const wanted = new Map<CallbackName, { success: boolean; failure: boolean }>();
  const lists = [
    ['success_callback', ls.success_callback, { success: true, failure: false }],
    ['failure_callback', ls.failure_callback, { success: false, failure: true }],
    ['callbacks', ls.callbacks, { success: true, failure: true }],
  ] as const;
  for (const [key, names, on] of lists) {
    (names ?? []).forEach((name, i) => {
      if (!(KNOWN_CALLBACKS as readonly string[]).includes(name)) {
        warnings.push(`litellm_settings.${key}[${i}]: unknown callback "${name}", ignored (this gateway has ${KNOWN_CALLBACKS.join(', ')})`);
        return;
      }
      const w = wanted.get(name as CallbackName) ?? { success: false, failure: false };
      wanted.set(name as CallbackName, { success: w.success || on.success, failure: w.failure || on.failure });
    });
  }

  const secret = (name: string) => (typeof env[name] === 'string' && env[name] !== '' ? (env[name] as string) : undefined);
  rememberSecrets([
    ...configSecrets(config),
    // Bedrock deployments may take their keys from the env rather than the config.
    secret('AWS_ACCESS_KEY_ID'),
    secret('AWS_SECRET_ACCESS_KEY'),
    secret('AWS_SESSION_TOKEN'),
  ]);
  const redact = scrub;
  // LiteLLM logs content by default; here it takes an explicit `turn_off_message_logging: false`.
  const content = ls.turn_off_message_logging === false;
  const callbacks: RouterCallback[] = [];

  const metrics = env.METRICS && new MetricsShards(env.METRICS, deps.namespace, deps.metricsShard);
  // The recorder feeds the dashboard too, so it runs wherever the binding exists; `prometheus` opens /metrics.
  if (metrics) {
    const models = new Set([...config.model_list.map((m) => m.model_name), ...Object.keys(config.router_settings.model_group_alias ?? {})]);
    callbacks.push(metricsRecorder({ metrics: () => metrics.writer(), knownModel: (m) => models.has(m), describe: deps.describe, redact, flushMs: deps.flushMs }));
  } else if (wanted.has('prometheus')) {
    warnings.push('litellm_settings: prometheus needs the METRICS Durable Object binding (wrangler.toml); /metrics is off');
  }

  const sentry = wanted.get('sentry');
  if (sentry && !sentry.failure) warnings.push('litellm_settings.success_callback: sentry reports failures only (and does so here); list it in failure_callback');
  if (ls.set_verbose || ls.json_logs) callbacks.push(requestLogger({ redact, content }));

  const gs = config.general_settings;
  const on = (name: 'otel' | 'langfuse' | 'sentry') => {
    const w = wanted.get(name);
    return w && { ...w, content: content && name !== 'sentry' };
  };
  const exports = { otel: on('otel'), langfuse: on('langfuse'), sentry: sentry && { success: false, failure: true, content: false } };
  const spendOn = !gs.disable_spend_logs;
  const queue = env.SPEND_QUEUE;
  // Rows, spans, traces and events are made by the companion Worker (src/companion/), which consumes SPEND_QUEUE;
  // stored models are read from it over COMPANION. A setting that asks for them without it is refused, not left
  // doing nothing.
  const missing = companionSettings(config).filter((s) => !env[s.binding]);
  if (missing.length) throw new ConfigError(missing.map((s) => `${s.setting} needs the companion Worker (npm run deploy)`));
  if (queue) {
    const prompts = gs.store_prompts_in_spend_logs === true;
    callbacks.push(
      spendLogCallback(queue, {
        redact,
        describe: deps.describe,
        content: prompts || !!(exports.otel?.content || exports.langfuse?.content),
        spend: spendOn ? { retention: gs.maximum_spend_logs_retention_period, prompts } : undefined,
        exports,
      }, (n) => metrics?.writer().record({ counters: { 'litellm_gateway_dropped_records{sink="spend_logs"}': n }, histograms: {}, minutes: [], errors: [] }), deps.flushMs),
    );
  }

  return { callbacks, warnings, prometheus: wanted.has('prometheus') && !!metrics, metrics, tracing: !!exports.otel, companion: env.COMPANION };
}
