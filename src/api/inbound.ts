// An inbound API the gateway serves besides chat (Anthropic's Messages, OpenAI's Responses). The Router runs
// each through the same request loop as chat; per attempt, a deployment whose provider speaks the API gets the
// request passed through untouched, any other gets it translated to chat and its answer translated back.
import type { ChatCompletion, ChatRequest, Usage } from '../providers/openai-types';
import type { Passthrough } from '../providers/provider';
import type { GatewayControls } from '../router/request';
import type { Defer } from '../state/store';
import type { StreamDialect } from '../stream/dialect';
import type { ConversationStore } from './responses/store';

/** What an API's own bookkeeping may use: the stored conversations, the caller, waitUntil. */
export interface ApiContext {
  conversations: ConversationStore;
  callerScope?: string;
  defer: Defer;
}

export interface InboundRequest {
  model: string;
  stream?: boolean;
  [field: string]: unknown;
}

export interface InboundApi<B extends InboundRequest> {
  /** The call type in logs, metrics and cache keys. */
  readonly call: 'messages' | 'responses';
  /** Checks the client's body (a RouterError if it is wrong) and takes out the gateway's controls. */
  parse(body: unknown): { request: B; controls: GatewayControls };
  /** The prompt's size, for limits and pre-call checks. */
  estimate(request: B): number;
  /** The content a callback that wants content is shown. */
  content(request: B): unknown;
  /** Which passthrough entry of a provider serves this API. */
  readonly native: keyof Passthrough;
  /** Usage of a passed-through JSON answer, and a watcher for a passed-through stream. */
  usage(body: unknown): Usage | undefined;
  dialect(): StreamDialect;
  /** Translation, for deployments that do not speak the API. */
  toChat(request: B): ChatRequest;
  fromChat(chat: ChatCompletion, request: B): unknown;
  /** `onAnswer` hears the whole answer the stream added up to, once it ended cleanly. */
  fromChatStream(request: B, estTokens: number, onAnswer: (answer: unknown) => void): TransformStream<Uint8Array, Uint8Array>;
  /**
   * A request that names the deployment to answer it (Responses' managed previous_response_id): that deployment,
   * and the request as the upstream must see it (its own id back in place).
   */
  pinned?(request: B): { request: B; deploymentId: string } | undefined;
  /** With responses_api_deployment_check: an answer whose ids name the deployment that gave them. */
  manageIds?(text: string, provider: string, deploymentId: string): string;
  manageStream?(provider: string, deploymentId: string): TransformStream<Uint8Array, Uint8Array>;
  /** Before routing: the request completed from what was stored (Responses' previous_response_id). */
  restore?(request: B, ctx: ApiContext): Promise<B>;
  /** After a translated answer: kept for later requests (a response for a previous_response_id). */
  remember?(request: B, answer: unknown, ctx: ApiContext): void;
}
