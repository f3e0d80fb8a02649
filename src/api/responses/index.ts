// OpenAI's Responses API (POST /v1/responses) as an inbound API of the Router.
import { estimateTokens } from '../../router/request';
import type { InboundApi } from '../inbound';
import { decodeResponseId, manageIds, manageStreamIds } from './managed-id';
import type { ResponsesBody } from './request';
import { parseResponsesRequest, toChatRequest } from './request';
import type { ResponsesUsage } from './response';
import { chatUsage, toResponse } from './response';
import { rememberConversation, restoreConversation } from './store';
import { responsesDialect, toResponsesStream } from './stream';

export const responsesApi: InboundApi<ResponsesBody> = {
  call: 'responses',
  parse: parseResponsesRequest,
  estimate: (r) => estimateTokens([r.instructions ?? '', r.input ?? '', r.tools ?? []]),
  content: (r) => r.input,
  native: 'responses',
  usage: (body) => chatUsage((body as { usage?: ResponsesUsage } | undefined)?.usage),
  dialect: responsesDialect,
  toChat: toChatRequest,
  fromChat: toResponse,
  fromChatStream: (r, _est, onAnswer) => toResponsesStream(r, onAnswer),
  pinned: (r) => {
    const id = r.previous_response_id ? decodeResponseId(r.previous_response_id) : undefined;
    return id && { request: { ...r, previous_response_id: id.responseId }, deploymentId: id.deploymentId };
  },
  manageIds,
  manageStream: manageStreamIds,
  restore: restoreConversation,
  remember: rememberConversation,
};
