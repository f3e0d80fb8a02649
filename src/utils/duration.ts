// LiteLLM's durations (`budget_duration`, `duration`, `maximum_spend_logs_retention_period`): a whole number
// and a unit, s m h d w or mo.

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The duration in ms, or undefined when `text` is not one. */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+)\s*(mo|s|m|h|d|w)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n <= 0) return undefined;
  // A month is 30 days, as LiteLLM counts it.
  return m[2] === 'mo' ? n * 30 * UNIT_MS.d : n * UNIT_MS[m[2]];
}

export const isDuration = (text: unknown): text is string => typeof text === 'string' && durationMs(text) !== undefined;
