// Settings whose work the companion Worker does (src/companion/): the exporters, the spend log's own keys, and
// the models stored at runtime.
// The gateway refuses them at load without it (observability/callbacks.ts); check-config, which cannot know
// how the config will be deployed, warns about each.
import type { ProxyConfig } from './types';

export const EXPORTERS = ['otel', 'langfuse', 'sentry'] as const;
/** Reached over the COMPANION binding; the others over SPEND_QUEUE. */
export const STORED_MODELS_SETTING = 'general_settings.store_model_in_db:';

/** Each such setting as its key path and value: `litellm_settings.callbacks: otel`, `general_settings.store_prompts_in_spend_logs:`. */
export function companionSettings(config: ProxyConfig): string[] {
  const ls = config.litellm_settings;
  const gs = config.general_settings;
  const lists = { success_callback: ls.success_callback, failure_callback: ls.failure_callback, callbacks: ls.callbacks };
  const exporters = Object.entries(lists).flatMap(([key, names]) =>
    (names ?? []).filter((n) => (EXPORTERS as readonly string[]).includes(n)).map((n) => `litellm_settings.${key}: ${n}`),
  );
  const spend = gs.disable_spend_logs ? [] : (['store_prompts_in_spend_logs', 'maximum_spend_logs_retention_period'] as const).filter((k) => gs[k] !== undefined);
  return [...exporters, ...spend.map((k) => `general_settings.${k}:`), ...(gs.store_model_in_db ? [STORED_MODELS_SETTING] : [])];
}
