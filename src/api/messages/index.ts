// Anthropic's Messages API (POST /v1/messages) as an inbound API of the Router.
import { toUsage } from '../../providers/anthropic/response';
import type { AnthropicUsage } from '../../providers/anthropic/types';
import { estimateTokens } from '../../router/request';
import type { InboundApi } from '../inbound';
import { messagesSplicer, prefilledMessages } from './continuation';
import type { MessagesBody } from './request';
import { parseMessagesRequest, toChatRequest } from './request';
import { toMessage } from './response';
import { messagesDialect, toMessagesStream } from './stream';

/** The prompt as the router estimates it: system, messages and tools. */
export const estimateMessages = (r: MessagesBody) => estimateTokens([r.system ?? '', r.messages, r.tools ?? []]);

export const messagesApi: InboundApi<MessagesBody> = {
  call: 'messages',
  parse: parseMessagesRequest,
  estimate: estimateMessages,
  content: (r) => r.messages,
  native: 'messages',
  usage: (body) => {
    const u = (body as { usage?: AnthropicUsage } | undefined)?.usage;
    return u && toUsage(u);
  },
  dialect: messagesDialect,
  toChat: toChatRequest,
  fromChat: (chat, r) => toMessage(chat, r.model),
  // Messages answers are not kept: Anthropic's API has no stored conversations.
  fromChatStream: (r, est) => toMessagesStream(r.model, est),
  splicer: messagesSplicer,
  prefilled: prefilledMessages,
};
