// Known prices and context windows (LiteLLM's table, public/prices.json, read by table.ts), as the
// model_info fields the Router reads: input/output_cost_per_token for x-litellm-response-cost and cost-based
// routing, the prompt-cache rates, max_input_tokens for the context pre-check. A deployment's own model_info
// always wins.
import type { ModelInfo } from '../config/types';
import type { Usage } from '../providers/openai-types';
import { priceRow } from './table';

/** The names LiteLLM's table may know a deployment by: as written, without its prefix, and by base_model (the
 * table leaves out a `provider/model` row priced as the bare `model`, so the bare name always comes after). */
function names(model: string, baseModel: unknown): string[] {
  const slash = model.indexOf('/');
  const prefix = slash > 0 ? model.slice(0, slash) : '';
  const upstream = model.slice(slash + 1);
  const out = [model, upstream, upstream.slice(upstream.lastIndexOf('/') + 1)];
  if (typeof baseModel === 'string') out.push(`${prefix}/${baseModel}`, baseModel);
  return out;
}

export function knownModelInfo(model: string, info: ModelInfo | undefined): ModelInfo {
  for (const name of names(model, info?.base_model)) {
    const row = priceRow(name);
    if (!row) continue;
    if (!Array.isArray(row)) return { ...row };
    const known: ModelInfo = { input_cost_per_token: row[0] / 1e6, output_cost_per_token: row[1] / 1e6 };
    if (row[2] != null) known.max_input_tokens = row[2];
    if (row[3] != null) known.cache_read_input_token_cost = row[3] / 1e6;
    if (row[4] != null) known.cache_creation_input_token_cost = row[4] / 1e6;
    return known;
  }
  return {};
}

/**
 * What a call cost, in USD, or undefined where the deployment has no prices. Cached prompt tokens
 * (`prompt_tokens_details.cached_tokens`) are billed at the cache read rate and written ones
 * (`cache_creation_tokens`) at the cache write rate, each at the input price where the model has none.
 */
export function costOf(info: ModelInfo | undefined, usage: Usage | undefined): number | undefined {
  if (!usage || !info || (info.input_cost_per_token === undefined && info.output_cost_per_token === undefined)) return undefined;
  const input = info.input_cost_per_token ?? 0;
  const details = usage.prompt_tokens_details as { cached_tokens?: number; cache_creation_tokens?: number } | undefined;
  const read = details?.cached_tokens ?? 0;
  const written = details?.cache_creation_tokens ?? 0;
  return (
    (usage.prompt_tokens - read - written) * input +
    read * (info.cache_read_input_token_cost ?? input) +
    written * (info.cache_creation_input_token_cost ?? input) +
    usage.completion_tokens * (info.output_cost_per_token ?? 0)
  );
}
