// The OpenAI wire shapes the gateway speaks to its clients (and to OpenAI-compatible upstreams).

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [extra: string]: unknown;
}

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: string; [extra: string]: unknown };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * A chat request as the inbound APIs' translators build it (from a Messages or Responses body, already checked):
 * looser than the client-facing schema's type, and handed to the router as a ChatRequest.
 */
export interface TranslatedChat {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string | string[];
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  response_format?: unknown;
  user?: string;
  [extra: string]: unknown;
}

/** The request shapes come from their schemas (src/schema/), which also validate them. */
export type { ChatRequest } from '../schema/chat';
export type { EmbeddingRequest } from '../schema/embeddings';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [extra: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatMessage;
    finish_reason: string | null;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  system_fingerprint?: string | null;
  [extra: string]: unknown;
}

/** A streamed tool call: the first delta of a call has its id and name, later ones append to its arguments. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export type ChunkDelta = Partial<Omit<ChatMessage, 'tool_calls'>> & { tool_calls?: ToolCallDelta[] };

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: number; delta: ChunkDelta; finish_reason: string | null }>;
  usage?: Usage | null;
  [extra: string]: unknown;
}

export interface EmbeddingResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/**
 * OpenAI's prompt_tokens_details for a provider that counts cached prompt tokens apart: `cached_tokens` read
 * from the cache, and, as LiteLLM adds it, `cache_creation_tokens` written to it (only when some were).
 */
export function cacheDetails(read: number, written: number): Record<string, number> {
  return written > 0 ? { cached_tokens: read, cache_creation_tokens: written } : { cached_tokens: read };
}
