// An OpenAI chat.completion as an Anthropic Message: content becomes a text block, tool_calls tool_use blocks,
// finish_reason a stop_reason, usage Anthropic's usage (cached prompt tokens counted apart, as Anthropic does).
import type { AnthropicUsage, Message, ResponseBlock } from '../../providers/anthropic/types';
import type { ChatCompletion, Usage } from '../../providers/openai-types';

/** OpenAI's finish_reason as Anthropic's stop_reason. */
export function stopReason(finish: string | null | undefined): string {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export function anthropicUsage(u: Usage | undefined): AnthropicUsage {
  const details = u?.prompt_tokens_details as { cached_tokens?: number; cache_creation_tokens?: number } | undefined;
  const cached = Number(details?.cached_tokens ?? 0);
  const written = Number(details?.cache_creation_tokens ?? 0);
  return {
    input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached - written),
    output_tokens: u?.completion_tokens ?? 0,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

/** Anthropic ids start with msg_; an upstream's own id is kept after it. */
export const messageId = (id: string | undefined) => (id?.startsWith('msg_') ? id : `msg_${id || crypto.randomUUID().replace(/-/g, '')}`);

/** `model` is what the client asked for (a group or alias), as Anthropic echoes the requested model. */
export function toMessage(chat: ChatCompletion, model: string): Message {
  const choice = chat.choices[0];
  const content: ResponseBlock[] = [];
  const text = typeof choice?.message.content === 'string' ? choice.message.content : '';
  if (text) content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseInput(call.function.arguments) });
  }
  return {
    id: messageId(chat.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(chat.usage),
  };
}

/** A tool call's arguments as tool_use input: Anthropic's input is an object, never a string. */
export function parseInput(args: string | undefined): unknown {
  if (!args?.trim()) return {};
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}
