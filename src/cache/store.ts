// Where cached answers live: Workers KV at the edge, or an LRU in the isolate's memory (`type: local`).
import type { ChatCompletion, EmbeddingResponse } from '../providers/openai-types';

/** One cached answer, with who served it (for the x-litellm-* headers) and when it stops being fresh. */
export interface CachedAnswer {
  /** A chat.completion, an embedding list, or an Anthropic Message or Responses object (their own call types). */
  body: ChatCompletion | EmbeddingResponse | Record<string, unknown>;
  group: string;
  deploymentId: string;
  apiBase: string;
  /** Epoch ms, by the Router's clock. */
  storedAt: number;
  /** Epoch ms; absent: kept until evicted. Checked on read (KV's own expiry is 60 s at the least). */
  expiresAt?: number;
}

export interface CacheStore {
  get(key: string): Promise<CachedAnswer | undefined>;
  /** `ttlS` lets the store drop the entry itself some time after it expired. */
  set(key: string, answer: CachedAnswer, ttlS?: number): Promise<void>;
}
