// The one small interface every provider implements. A provider translates an OpenAI-shaped request
// into its upstream's wire format and back; it knows nothing of routing, retries or state.
import type { LitellmParams } from '../config/types';
import type { Deployment } from '../router/deployment';
import type { GatewayControls } from '../router/request';
import type { StreamDialect } from '../stream/dialect';
import type { ChatCompletion, ChatRequest, EmbeddingRequest, EmbeddingResponse } from './openai-types';

export interface UpstreamCall<Body> {
  deployment: Deployment;
  /** The client's request, `model` already set to the deployment's upstream model. */
  body: Body;
  signal: AbortSignal;
  fetch: typeof fetch;
  /** LiteLLM's per-request controls (mock_response, cache, ...): never sent upstream. */
  controls?: GatewayControls;
}

/**
 * A request in an API the upstream speaks itself (Anthropic's Messages, OpenAI's Responses), passed through:
 * the client's body with only `model` replaced.
 */
export interface NativeCall {
  deployment: Deployment;
  body: Record<string, unknown>;
  signal: AbortSignal;
  fetch: typeof fetch;
  /** Client headers meant for this upstream (anthropic-version, anthropic-beta). */
  headers: Record<string, string>;
}

/** The upstream's answer as it came (a 2xx; a failure is thrown as a classified RouterError). */
export type NativeHandler = (call: NativeCall) => Promise<Response>;

/** The inbound APIs a provider can pass through untouched (the cheapest path: nothing is lost in translation). */
export interface Passthrough {
  messages?: NativeHandler;
  count_tokens?: NativeHandler;
  responses?: NativeHandler;
}

/** A non-stream answer, or an OpenAI-format SSE byte stream (`data: {chunk}` ... `data: [DONE]`). */
/** `text`: the upstream's own bytes of `body`, when it passed through unchanged (sent to the client as they came). */
/** `dialect`: how the relay watches the stream, when not as OpenAI chunks passed through whole (chatDialect). */
export type ChatResult =
  | { kind: 'json'; body: ChatCompletion; text?: string }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array>; dialect?: StreamDialect };

export interface Provider {
  readonly name: string;
  /** The base URL shown in x-litellm-model-api-base. */
  apiBase(deployment: Deployment): string;
  chat(call: UpstreamCall<ChatRequest>): Promise<ChatResult>;
  embeddings?(call: UpstreamCall<EmbeddingRequest>): Promise<EmbeddingResponse>;
  /**
   * The request parameters this provider takes. A parameter outside it is dropped when drop_params
   * is true, else refused with a 400 that names it. Undefined: it takes every OpenAI parameter.
   */
  readonly supportedParams?: ReadonlySet<string>;
  /** Inbound APIs this upstream speaks natively; any other reaches it translated to chat. */
  readonly passthrough?: Passthrough;
  /** A fault in a deployment's litellm_params, as `key: fault` (e.g. `api_base: required for azure/`). */
  check?(params: LitellmParams): string | undefined;
  /**
   * litellm_params read from the Worker's env when the deployment leaves them out, as LiteLLM reads os.environ:
   * param -> env var names, the first one set wins (e.g. `{ api_key: ['MISTRAL_API_KEY'] }`).
   */
  readonly env?: Readonly<Record<string, readonly string[]>>;
  /** A prefix serving model families with different wire formats (vertex_ai/: Gemini, Claude): the family's provider. */
  forModel?(upstreamModel: string): Provider;
}
