// What a forwarded route's answer costs and counts, by its mode, from model_info (LiteLLM's price keys, the price
// table's where the config gives none): per image (else by size and quality), per second of audio, per character of speech, per rerank search unit; tokens where the answer has them.
import type { ModelInfo } from '../config/types';
import type { Usage } from '../providers/openai-types';
import type { Endpoint } from '../providers/provider';
import { imagePrice } from '../pricing/modes';

type Answer = Record<string, any> | undefined;

/** Tokens as each upstream reports them: OpenAI's usage, gpt-image's input/output tokens, a rerank's total. */
export function endpointUsage(answer: Answer): Usage | undefined {
  const u = answer?.usage;
  if (!u || typeof u !== 'object') return undefined;
  const prompt = u.prompt_tokens ?? u.input_tokens ?? u.total_tokens ?? 0;
  const completion = u.completion_tokens ?? u.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.total_tokens ?? prompt + completion };
}

/** `model`: the deployment's upstream model, whose images LiteLLM's table prices by size and quality. */
export function endpointCost(info: ModelInfo | undefined, model: string, endpoint: Endpoint, request: Record<string, unknown>, answer: Answer, usage?: Usage): number | undefined {
  if (!info) return undefined;
  const images = answer?.data?.length;
  const times = (p: unknown, units: unknown) => (typeof p === 'number' && typeof units === 'number' ? p * units : undefined);
  const price = (key: string, units: unknown) => times(info[key], units);
  const base = typeof info.base_model === 'string' ? info.base_model : model;
  // A rerank billed per search unit (else 1 a call) costs that alone; one without a per-query price, its tokens (LiteLLM's).
  const perQuery = endpoint === 'rerank' ? price('input_cost_per_query', answer?.meta?.billed_units?.search_units ?? 1) : undefined;
  const parts = (
    perQuery
      ? [perQuery]
      : [
          usage && price('input_cost_per_token', usage.prompt_tokens),
          usage && price('output_cost_per_token', usage.completion_tokens),
          endpoint.startsWith('images/') ? (price('output_cost_per_image', images) ?? times(imagePrice(base, request.size, request.quality), images)) : undefined,
          endpoint === 'audio/speech' ? price('input_cost_per_character', String(request.input ?? '').length) : undefined,
          // A transcription's length is known from a verbose_json answer's duration.
          price('input_cost_per_second', answer?.duration),
        ]
  ).filter((x): x is number => x !== undefined);
  return parts.length ? parts.reduce((a, b) => a + b, 0) : undefined;
}
