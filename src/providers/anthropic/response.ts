// Anthropic Message -> OpenAI chat.completion: text blocks join into `content`, tool_use blocks become tool_calls.
import type { ChatCompletion, ToolCall, Usage } from '../openai-types';
import { cacheDetails } from '../openai-types';
import { JSON_TOOL } from './json-mode';
import type { AnthropicUsage, Message } from './types';

/** Anthropic's stop_reason as OpenAI's finish_reason; a stop for the JSON tool alone (no tool calls) is a stop. */
export function finishReason(stop: string | null | undefined, toolCalls = true): string | null {
  switch (stop) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return toolCalls ? 'tool_calls' : 'stop';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

/** OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic counts them apart. */
export function toUsage(u: Partial<AnthropicUsage>): Usage {
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = u.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: cacheDetails(cacheRead, cacheWrite) };
}

/** `jsonMode`: the request had a response_format, so the JSON tool's input is the content. */
export function toChatCompletion(m: Message, jsonMode: boolean): ChatCompletion {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of m.content) {
    if (block.type === 'text') text += block.text;
    else if (jsonMode && block.type === 'tool_use' && block.name === JSON_TOOL) text += JSON.stringify(block.input ?? {});
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: m.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: m.model,
    choices: [{ index: 0, message, finish_reason: finishReason(m.stop_reason, !jsonMode || toolCalls.length > 0), logprobs: null }],
    usage: toUsage(m.usage),
  };
}
