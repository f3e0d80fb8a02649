// Converse response -> OpenAI chat.completion: text blocks join into `content`, toolUse blocks become tool_calls,
// reasoning goes to `reasoning_content` (as LiteLLM does), stopReason becomes finish_reason.
import { JSON_TOOL } from '../anthropic/json-mode';
import type { ChatCompletion, ToolCall, Usage } from '../openai-types';
import { cacheDetails } from '../openai-types';
import type { ConverseResponse, TokenUsage } from './types';

/** Converse's stopReason as OpenAI's finish_reason; a stop for the JSON tool alone (no tool calls) is a stop. */
export function finishReason(stop: string | undefined, toolCalls = true): string | null {
  switch (stop) {
    case undefined:
      return null;
    case 'tool_use':
      return toolCalls ? 'tool_calls' : 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default: // end_turn, stop_sequence, and reasons AWS may add
      return 'stop';
  }
}

/** OpenAI counts cached prompt tokens inside prompt_tokens; Converse counts them apart. */
export function toUsage(u: Partial<TokenUsage> = {}): Usage {
  const cacheRead = u.cacheReadInputTokens ?? 0;
  const cacheWrite = u.cacheWriteInputTokens ?? 0;
  const prompt = (u.inputTokens ?? 0) + cacheRead + cacheWrite;
  const completion = u.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: cacheDetails(cacheRead, cacheWrite) };
}

/** Converse answers carry no id: the AWS request id names the completion when there is one. */
export const completionId = (requestId: string | null) => `chatcmpl-${requestId ?? crypto.randomUUID()}`;

/** `jsonMode`: the request had a response_format, so the JSON tool's input is the content. */
export function toChatCompletion(r: ConverseResponse, model: string, id: string, jsonMode: boolean): ChatCompletion {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const block of r.output?.message?.content ?? []) {
    if ('text' in block) text += block.text;
    else if ('reasoningContent' in block) reasoning += block.reasoningContent.reasoningText?.text ?? '';
    else if ('toolUse' in block) {
      const { toolUseId, name, input } = block.toolUse;
      if (jsonMode && name === JSON_TOOL) text += JSON.stringify(input ?? {});
      else toolCalls.push({ id: toolUseId, type: 'function', function: { name, arguments: JSON.stringify(input ?? {}) } });
    }
  }
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (reasoning) message.reasoning_content = reasoning;
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: finishReason(r.stopReason, !jsonMode || toolCalls.length > 0), logprobs: null }],
    usage: toUsage(r.usage),
  };
}
