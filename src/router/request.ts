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
const GATEWAY_PARAMS = new Set(['cache', 'mock_response', 'mock_response_latency_ms', 'num_retries', 'fallbacks']);

export interface GatewayControls {
  cache?: { 'no-cache'?: boolean; 'no-store'?: boolean; ttl?: number; 's-maxage'?: number; namespace?: string };
  mock_response?: string;
  /** Retries for this request, over router_settings.num_retries (retry_policy still wins per class). */
  num_retries?: number;
  /** Fallback groups for this request, in place of the configured ones. */
  fallbacks?: string[];
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
  return { upstream, controls: checkControls(controls) };
}

/**
 * For APIs passed through to their own upstream (Messages, Responses): the gateway's controls are taken out,
 * every other field stays as the client sent it (the upstream judges it).
 */
export function takeControls(body: Record<string, unknown>): { rest: Record<string, unknown>; controls: GatewayControls } {
  const rest: Record<string, unknown> = {};
  const controls: GatewayControls = {};
  for (const [k, v] of Object.entries(body)) {
    if (GATEWAY_PARAMS.has(k)) controls[k] = v;
    else rest[k] = v;
  }
  return { rest, controls: checkControls(controls) };
}

function checkControls(controls: GatewayControls): GatewayControls {
  if (controls.num_retries !== undefined && !(Number.isInteger(controls.num_retries) && controls.num_retries >= 0)) {
    throw badRequest(`Invalid value for 'num_retries': ${JSON.stringify(controls.num_retries)}`, 'num_retries', 'invalid_value');
  }
  const fb = controls.fallbacks;
  if (fb !== undefined && !(Array.isArray(fb) && fb.every((f) => typeof f === 'string'))) {
    throw badRequest("'fallbacks' must be a list of model group names", 'fallbacks', 'invalid_value');
  }
  return controls;
}

export function requireModel(body: Record<string, unknown>) {
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
