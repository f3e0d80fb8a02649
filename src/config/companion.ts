// Settings whose work the companion Worker does (src/companion/): the exporters, the spend log's own keys, the
// models stored at runtime, and the guardrail services it calls.
// The gateway refuses them at load without it (observability/callbacks.ts); check-config, which cannot know
// how the config will be deployed, warns about each.
import { inCompanion, typeOf } from '../guardrails/kinds';
import type { ProxyConfig } from './types';

export const EXPORTERS = ['otel', 'langfuse', 'sentry'] as const;
export interface CompanionSetting {
  /** Its key path and value: `litellm_settings.callbacks: otel`, `general_settings.store_prompts_in_spend_logs:`. */
  setting: string;
  /** The gateway's binding that reaches the companion for it. */
  binding: 'SPEND_QUEUE' | 'COMPANION';
}

export function companionSettings(config: ProxyConfig): CompanionSetting[] {
  const ls = config.litellm_settings;
  const gs = config.general_settings;
  const lists = { success_callback: ls.success_callback, failure_callback: ls.failure_callback, callbacks: ls.callbacks };
  const exporters = Object.entries(lists).flatMap(([key, names]) =>
    (names ?? []).filter((n) => (EXPORTERS as readonly string[]).includes(n)).map((n) => `litellm_settings.${key}: ${n}`),
  );
  const spend = gs.disable_spend_logs ? [] : (['store_prompts_in_spend_logs', 'maximum_spend_logs_retention_period'] as const).filter((k) => gs[k] !== undefined);
  return [
    ...[...exporters, ...spend.map((k) => `general_settings.${k}:`)].map((setting) => ({ setting, binding: 'SPEND_QUEUE' as const })),
    ...(gs.store_model_in_db ? [{ setting: 'general_settings.store_model_in_db:', binding: 'COMPANION' as const }] : []),
    ...(config.guardrails ?? []).flatMap((g, i) => {
      const type = typeOf((g as { litellm_params: { guardrail: unknown } }).litellm_params.guardrail)!;
      return inCompanion(type) ? [{ setting: `guardrails[${i}]: ${type}`, binding: 'COMPANION' as const }] : [];
    }),
  ];
}
