// Known prices and context windows (prices.ts, generated from LiteLLM's table by scripts/prices.mjs), as the
// model_info fields the Router reads: input/output_cost_per_token for x-litellm-response-cost and cost-based
// routing, max_input_tokens for the context pre-check. A deployment's own model_info always wins.
import type { ModelInfo } from '../config/types';
import { PRICES } from './prices';

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
    const row = PRICES[name];
    if (!row) continue;
    const known: ModelInfo = { input_cost_per_token: row[0] / 1e6, output_cost_per_token: row[1] / 1e6 };
    if (row[2] !== undefined) known.max_input_tokens = row[2];
    return known;
  }
  return {};
}
