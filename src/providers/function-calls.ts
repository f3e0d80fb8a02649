// The request's messages as the translating providers read them. OpenAI's `custom` tool calls have no
// counterpart in Gemini's or Bedrock's wire format: a clear 400 naming the call, never a crash mid-translation.
import { badRequest } from '../router/errors';
import type { ChatMessage, ChatRequest } from './openai-types';

export function functionCallMessages(messages: ChatRequest['messages'], provider: string): ChatMessage[] {
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    m.tool_calls?.forEach((c, j) => {
      if (c.type !== 'function') {
        const at = `messages[${i}].tool_calls[${j}]`;
        throw badRequest(`${at}: custom tool calls are not supported by ${provider}`, `${at}.type`, 'invalid_value');
      }
    });
  });
  return messages as ChatMessage[];
}
