// The response cache the Router consults: one lookup before routing, one store after a success. A hit never
// reaches routing state, so it uses no deployment's rpm/tpm.
import type { ChatCompletion, ChatRequest, Usage } from '../providers/openai-types';
import type { GatewayControls } from '../router/request';
import type { CallOptions, CompletionResult, ResponseMeta } from '../router/router';
import { requestPolicy } from './controls';
import { logLine } from '../security/scrub';
import { cacheKey } from './key';
import { captureStream, chunksToCompletion, completionToChunks, replayStream } from './replay';
import type { CachedAnswer, CacheStore } from './store';

export type CachedCall = 'chat' | 'embeddings' | 'messages' | 'responses' | 'completions';

export interface ResponseCacheSettings {
  store: CacheStore;
  /** Seconds an entry is kept unless the request says otherwise; undefined: until evicted. */
  ttlS?: number;
  /** Prefix of every key (cache_params.namespace). */
  namespace?: string;
  calls: ReadonlySet<CachedCall>;
  /** cache_params.mode: default_off: only requests with `cache: {"use-cache": true}` use the cache. */
  optIn: boolean;
}

/** One request's view of the cache: its key, the entry it may be answered from, and how to keep its answer. */
export interface CacheTicket {
  /** The storage key, sent as x-litellm-cache-key on a hit. */
  key: string;
  hit?: CachedAnswer;
  /** Keeps a successful answer through waitUntil, unless the request said no-store. */
  keep(body: CachedAnswer['body'], meta: ResponseMeta): void;
}

export class ResponseCache {
  constructor(
    private readonly settings: ResponseCacheSettings,
    private readonly now: () => number,
  ) {}

  /** Undefined when this request does not use the cache at all. */
  async open(call: CachedCall, group: string, request: Record<string, unknown>, controls: GatewayControls, opts: CallOptions): Promise<CacheTicket | undefined> {
    const { settings } = this;
    if (!settings.calls.has(call)) return undefined;
    const policy = requestPolicy(controls, opts.cacheControl);
    if (settings.optIn ? policy.useCache !== true : policy.useCache === false) return undefined;
    if (!policy.read && !policy.write) return undefined;
    const hash = await cacheKey({ call, group, request, controls, caller: opts.callerScope });
    const namespace = policy.namespace ?? settings.namespace;
    const key = namespace ? `${namespace}:${hash}` : hash;
    const hit = policy.read ? await this.read(key, policy.maxAgeS) : undefined;
    const ttlS = policy.ttlS ?? settings.ttlS;
    return {
      key,
      hit,
      keep: (body, meta) => {
        if (!policy.write) return;
        const now = this.now();
        const answer: CachedAnswer = { body, group: meta.group, deploymentId: meta.deploymentId, apiBase: meta.apiBase, storedAt: now };
        if (ttlS !== undefined) answer.expiresAt = now + ttlS * 1000;
        const work = settings.store.set(key, answer, ttlS).catch((e) => warn('cache write failed', e));
        opts.waitUntil?.(work);
      },
    };
  }

  private async read(key: string, maxAgeS: number | undefined): Promise<CachedAnswer | undefined> {
    let answer: CachedAnswer | undefined;
    try {
      answer = await this.settings.store.get(key);
    } catch (e) {
      // An unreadable cache is a miss, never a failed request.
      warn('cache read failed', e);
      return undefined;
    }
    if (!answer) return undefined;
    const now = this.now();
    if (answer.expiresAt !== undefined && answer.expiresAt <= now) return undefined;
    if (maxAgeS !== undefined && now - answer.storedAt > maxAgeS * 1000) return undefined;
    return answer;
  }
}

/** A chat answer from the cache, in the form the request asked for (stream or not). */
export function cachedChat(hit: CachedAnswer, request: ChatRequest, meta: ResponseMeta): CompletionResult {
  const body = hit.body as ChatCompletion;
  if (request.stream !== true) return { kind: 'json', body, meta };
  return { kind: 'stream', stream: replayStream(completionToChunks(body, request.stream_options?.include_usage === true)), meta };
}

/**
 * Keeps a chat answer: a JSON one now, a stream once it has ended cleanly (the client gets it untouched).
 * `estimate` stands in for the usage of a stream that reported none.
 */
export function keepChat(ticket: CacheTicket | undefined, result: CompletionResult, estimate: (contentChars: number) => Usage): CompletionResult {
  if (!ticket) return result;
  if (result.kind === 'json') {
    ticket.keep(result.body, result.meta);
    return result;
  }
  return { ...result, stream: captureStream(result.stream, (chunks) => ticket.keep(chunksToCompletion(chunks, estimate), result.meta)) };
}

function warn(msg: string, e: unknown) {
  logLine('warn', { msg, error: e instanceof Error ? e.message : String(e) });
}
