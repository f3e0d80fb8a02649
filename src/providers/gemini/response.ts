// Google's GenerateContentResponse -> OpenAI chat.completion: one choice per candidate, text parts joined into
// `content` (thought parts into `reasoning_content`), functionCall parts into tool_calls, usageMetadata into usage.
// An answer blocked whole by a content filter is a ContentPolicyViolationError, so content_policy_fallbacks apply.
import type { Deployment } from '../../router/deployment';
import { classifiedError } from '../http';
import type { ChatCompletion, ToolCall, Usage } from '../openai-types';
import { THOUGHT_MARK } from './request';
import type { Candidate, GenerateContentResponse, Part, UsageMetadata } from './types';

/** Finish reasons that mean a content filter stopped the answer (Google's FinishReason and BlockReason enums). */
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'OTHER_SAFETY']);

export function finishReason(reason: string | undefined, hasToolCalls: boolean): string | null {
  if (!reason || reason === 'FINISH_REASON_UNSPECIFIED') return null;
  if (FILTERED.has(reason)) return 'content_filter';
  if (reason === 'MAX_TOKENS') return 'length';
  return hasToolCalls ? 'tool_calls' : 'stop'; // STOP, LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL, ...
}

/** OpenAI counts reasoning inside completion_tokens, and cached prompt tokens inside prompt_tokens (as Google does). */
export function toUsage(u: UsageMetadata = {}): Usage {
  const prompt = u.promptTokenCount ?? 0;
  const thoughts = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}

let callCounter = 0;
/** OpenAI needs a tool call id; Google's may be absent. The thought signature rides along (request.ts sends it back). */
export function toolCallId(part: Extract<Part, { functionCall: unknown }>): string {
  const id = part.functionCall.id ?? `call_${Date.now().toString(36)}${(callCounter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return part.thoughtSignature ? `${id}${THOUGHT_MARK}${part.thoughtSignature}` : id;
}

export function toToolCall(part: Extract<Part, { functionCall: unknown }>): ToolCall {
  return { id: toolCallId(part), type: 'function', function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) } };
}

/** Why an answer with no content at all was blocked, if a filter blocked it. */
export function blocked(r: GenerateContentResponse): string | undefined {
  if (r.promptFeedback?.blockReason) return `the prompt was blocked (${r.promptFeedback.blockReason})`;
  const c = r.candidates ?? [];
  if (c.length && c.every((x) => FILTERED.has(x.finishReason ?? '') && !(x.content?.parts ?? []).length)) return `the answer was blocked (${c[0].finishReason})`;
  return undefined;
}

export const contentPolicyError = (d: Deployment, why: string) => classifiedError(d, 400, 'content_filter', `Gemini content filter: ${why}`);

function toChoice(c: Candidate, i: number): ChatCompletion['choices'][number] {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const part of c.content?.parts ?? []) {
    if ('functionCall' in part) toolCalls.push(toToolCall(part));
    else if ('text' in part && part.thought) reasoning += part.text;
    else if ('text' in part) text += part.text;
  }
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  return { index: c.index ?? i, message, finish_reason: finishReason(c.finishReason, toolCalls.length > 0) ?? 'stop', logprobs: null };
}

export function toChatCompletion(r: GenerateContentResponse, d: Deployment): ChatCompletion {
  const why = blocked(r);
  if (why) throw contentPolicyError(d, why);
  return {
    id: r.responseId ?? `chatcmpl-${crypto.randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: r.modelVersion ?? d.upstreamModel,
    choices: (r.candidates ?? []).map(toChoice),
    usage: toUsage(r.usageMetadata),
  };
}
