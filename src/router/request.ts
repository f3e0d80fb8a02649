// Client requests: checked before any routing, split into what goes upstream and what steers the gateway.
import type { ChatRequest, EmbeddingRequest } from '../providers/openai-types';
import { badRequest } from './errors';

/** OpenAI's chat completion parameters: anything else is refused by name, as OpenAI does. */
export const CHAT_PARAMS: ReadonlySet<string> = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'n', 'stop', 'max_tokens',
  'max_completion_tokens', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs',
  'user', 'tools', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call', 'response_format', 'seed',
  'service_tier', 'store', 'metadata', 'reasoning_effort', 'modalities', 'audio', 'prediction', 'web_search_options',
  'verbosity', 'prompt_cache_key', 'safety_identifier',
]);

export const EMBEDDING_PARAMS: ReadonlySet<string> = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

/** LiteLLM's per-request controls: read by the gateway, never sent upstream. */
const GATEWAY_PARAMS = new Set(['cache', 'mock_response', 'mock_response_latency_ms', 'num_retries', 'fallbacks', 'disable_fallbacks', 'tags']);

/** One fallback of a request's own list: a model name, and parameters that replace the request's for that hop (F08). */
export interface FallbackHop {
  model: string;
  params?: Record<string, unknown>;
}

export interface GatewayControls {
  cache?: { 'no-cache'?: boolean; 'no-store'?: boolean; ttl?: number; 's-maxage'?: number; namespace?: string };
  mock_response?: string;
  /** Retries for this request, over router_settings.num_retries (retry_policy still wins per class). */
  num_retries?: number;
  /** `fallbacks` as a plain list (names, or objects with a model): tried in order, in place of any configured (F08). */
  fallback_hops?: FallbackHop[];
  /** `fallbacks` in the router's form ([{group: [fallbacks]}]): replaces router_settings.fallbacks. */
  fallback_list?: Array<Record<string, string[]>>;
  disable_fallbacks?: boolean;
  /** Request tags (body `tags`, `metadata.tags`, the x-litellm-tags header) for tag routing. */
  tags?: string[];
  [extra: string]: unknown;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function splitControls(body: Record<string, unknown>, known: ReadonlySet<string>) {
  const upstream: Record<string, unknown> = {};
  const controls: GatewayControls = {};
  for (const [k, v] of Object.entries(body)) {
    if (GATEWAY_PARAMS.has(k)) controls[k] = v;
    else if (known.has(k)) upstream[k] = v;
    else throw badRequest(`Unrecognized request argument supplied: ${k}`, k, 'unknown_parameter');
  }
  if (controls.num_retries !== undefined && !(Number.isInteger(controls.num_retries) && controls.num_retries >= 0)) {
    throw badRequest(`Invalid value for 'num_retries': ${JSON.stringify(controls.num_retries)}`, 'num_retries', 'invalid_value');
  }
  if (controls.fallbacks !== undefined) Object.assign(controls, parseFallbacks(controls.fallbacks, known));
  delete controls.fallbacks;
  if (controls.disable_fallbacks !== undefined && typeof controls.disable_fallbacks !== 'boolean') {
    throw badRequest("'disable_fallbacks' must be true or false", 'disable_fallbacks', 'invalid_value');
  }
  const tags = controls.tags ?? (upstream.metadata as { tags?: unknown } | undefined)?.tags;
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) {
    throw badRequest("'tags' must be a list of strings", 'tags', 'invalid_value');
  }
  controls.tags = tags;
  if (controls.tags === undefined) delete controls.tags;
  return { upstream, controls };
}

/** LiteLLM's two forms of a request's `fallbacks`: a plain list (names or {model, ...params}), or the router's. */
function parseFallbacks(fb: unknown, known: ReadonlySet<string>): Pick<GatewayControls, 'fallback_hops' | 'fallback_list'> {
  const fault = (why: string) => badRequest(`'fallbacks' ${why}`, 'fallbacks', 'invalid_value');
  if (!Array.isArray(fb)) throw fault('must be a list of model names, of {"model": ...} objects, or of {group: [fallbacks]}');
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (fb.every((x) => typeof x === 'string' || (isObj(x) && 'model' in x))) {
    return {
      fallback_hops: fb.map((x) => {
        if (typeof x === 'string') return { model: x };
        const { model, ...params } = x as Record<string, unknown>;
        if (typeof model !== 'string' || model === '') throw fault('entries need a model name');
        for (const k of Object.keys(params)) if (!known.has(k)) throw fault(`entry for ${model} has a parameter this call does not take: ${k}`);
        return Object.keys(params).length ? { model, params } : { model };
      }),
    };
  }
  if (fb.every((x) => isObj(x) && Object.values(x).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string')))) {
    return { fallback_list: fb as Array<Record<string, string[]>> };
  }
  throw fault('must be a list of model names, of {"model": ...} objects, or of {group: [fallbacks]}');
}

function requireModel(body: Record<string, unknown>) {
  if (typeof body.model !== 'string' || body.model === '') {
    throw badRequest('you must provide a model parameter', 'model', 'missing_required_parameter');
  }
}

export function parseChatRequest(body: unknown): { request: ChatRequest; controls: GatewayControls } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  const b = body as Record<string, unknown>;
  requireModel(b);
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw badRequest("'messages' must be a non-empty array", 'messages', 'missing_required_parameter');
  }
  b.messages.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || !ROLES.has((m as { role?: string }).role ?? '')) {
      throw badRequest(`messages[${i}].role must be one of ${[...ROLES].join(', ')}`, `messages[${i}].role`, 'invalid_value');
    }
  });
  for (const [param, check] of [
    ['stream', (v: unknown) => typeof v === 'boolean'],
    ['temperature', (v: unknown) => typeof v === 'number' && v >= 0 && v <= 2],
    ['top_p', (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1],
    ['n', (v: unknown) => Number.isInteger(v) && (v as number) >= 1],
    ['max_tokens', (v: unknown) => Number.isInteger(v) && (v as number) >= 1],
  ] as const) {
    if (b[param] !== undefined && b[param] !== null && !check(b[param])) {
      throw badRequest(`Invalid value for '${param}': ${JSON.stringify(b[param])}`, param, 'invalid_value');
    }
  }
  const { upstream, controls } = splitControls(b, CHAT_PARAMS);
  return { request: upstream as ChatRequest, controls };
}

export function parseEmbeddingRequest(body: unknown): { request: EmbeddingRequest; controls: GatewayControls } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  const b = body as Record<string, unknown>;
  requireModel(b);
  const input = b.input;
  const ok = typeof input === 'string' || (Array.isArray(input) && input.length > 0);
  if (!ok) throw badRequest("'input' must be a string or a non-empty array", 'input', 'missing_required_parameter');
  const { upstream, controls } = splitControls(b, EMBEDDING_PARAMS);
  return { request: upstream as EmbeddingRequest, controls };
}

/** About four characters a token: the estimate used wherever no real token count is known. */
export const CHARS_PER_TOKEN = 4;

/** A cheap prompt-token estimate, corrected later by the real usage. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
