// stream_failure: continue, the request side: which deployments can continue a cut answer, and what they are asked.
import type { ChatRequest } from '../providers/openai-types';
import type { Deployment } from './deployment';

/** Said to the model that continues, beside the answer so far as its own (assistant) turn. */
export const CONTINUE_INSTRUCTION =
  'Your previous answer was cut off. Continue it from exactly where it stops: do not repeat any of it and add no preface.';

/**
 * Whether a deployment continues a trailing assistant message as its own answer (a true prefill): its
 * model_info.supports_assistant_prefill (LiteLLM's name), else its provider's own answer (Anthropic, Claude on
 * Vertex and Bedrock: yes; OpenAI chat and the rest read a trailing assistant message as context, not as a prefill).
 */
export const takesPrefill = (d: Deployment): boolean => d.info.supports_assistant_prefill ?? d.provider.prefill?.(d.upstreamModel) ?? false;

/**
 * The request that continues `text`: the instruction, then the text as the assistant's turn. Trailing whitespace is
 * taken off (Anthropic refuses a prefill ending in it): `trimmed` says so, for the splice.
 */
export function prefilled(base: ChatRequest, text: string): { body: ChatRequest; trimmed: boolean } {
  const prefill = text.trimEnd();
  const messages: ChatRequest['messages'] = [...base.messages, { role: 'system', content: CONTINUE_INSTRUCTION }];
  if (prefill) messages.push({ role: 'assistant', content: prefill });
  return { body: { ...base, messages, stream: true }, trimmed: prefill.length < text.length };
}
