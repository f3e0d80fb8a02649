// Client requests: checked against their schema before any routing, split into what goes upstream and what
// steers the gateway. The schemas (src/schema/) are the one description of each body.
import { chatBody, chatParams, type ChatRequest } from '../schema/chat';
import { CONTROL_NAMES, controlsSchema, type GatewayControls } from '../schema/controls';
import { embeddingBody, embeddingParams, type EmbeddingRequest } from '../schema/embeddings';
import { MAX_NAME_LENGTH } from '../schema/common';
import { parseBody, tooLong } from '../schema/issues';
import { badRequest } from './errors';
import type { ModelGroups } from './groups';

export type { FallbackHop, GatewayControls } from '../schema/controls';

/** OpenAI's chat completion parameters: anything else is refused by name, as OpenAI does. */
export const CHAT_PARAMS: ReadonlySet<string> = new Set(Object.keys(chatParams));
export const EMBEDDING_PARAMS: ReadonlySet<string> = new Set(Object.keys(embeddingParams));

function split<T>(body: Record<string, unknown>, known: ReadonlySet<string>): { request: T; controls: GatewayControls } {
  const request: Record<string, unknown> = {};
  const controls: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) (CONTROL_NAMES.has(k) ? controls : request)[k] = v;
  const { fallbacks, ...rest } = controls as GatewayControls & { fallbacks?: unknown[] };
  const out: GatewayControls = rest;
  if (fallbacks !== undefined) Object.assign(out, fallbackForms(fallbacks, known));
  fromMetadata(request, out);
  return { request: request as T, controls: out };
}

/** LiteLLM's metadata.tags (routes like body tags) and metadata.guardrails are LiteLLM's, never the upstream's. */
function fromMetadata(request: Record<string, unknown>, out: GatewayControls) {
  const metadata = request.metadata as Record<string, unknown> | null | undefined;
  if (!metadata || typeof metadata !== 'object' || (!Array.isArray(metadata.tags) && metadata.guardrails === undefined)) return;
  const { tags, guardrails, ...others } = metadata;
  if (Array.isArray(tags)) out.tags ??= tags as string[];
  else if (tags !== undefined) others.tags = tags;
  if (guardrails !== undefined) {
    if (!Array.isArray(guardrails) || guardrails.some((g) => typeof g !== 'string')) throw badRequest('metadata.guardrails: expected a list of guardrail names', 'metadata.guardrails', 'invalid_value');
    out.guardrails = [...new Set([...((out.guardrails as string[] | undefined) ?? []), ...(guardrails as string[])])];
  }
  if (Object.keys(others).length > 0) request.metadata = others;
  else delete request.metadata;
}

/** The schema took either form of a request's `fallbacks`; which one it is decides how the router reads it. */
function fallbackForms(fb: unknown[], known: ReadonlySet<string> | undefined): Pick<GatewayControls, 'fallback_hops' | 'fallback_list'> {
  const isHop = (x: unknown) => typeof x === 'string' || (typeof x === 'object' && x !== null && 'model' in x);
  if (!fb.every(isHop)) return { fallback_list: fb as Array<Record<string, string[]>> };
  return {
    fallback_hops: fb.map((x) => {
      if (typeof x === 'string') return { model: x };
      const { model, ...params } = x as { model: string } & Record<string, unknown>;
      for (const k of Object.keys(params)) {
        if (known && !known.has(k)) throw badRequest(`'fallbacks' entry for ${model} has a parameter this call does not take: ${k}`, 'fallbacks', 'invalid_value');
      }
      return Object.keys(params).length ? { model, params } : { model };
    }),
  };
}

/**
 * For APIs passed through to their own upstream (Messages, Responses), once their schema has checked the body: the
 * gateway's controls are taken out, every other field stays as the client sent it, byte for byte.
 */
export function takeControls(body: Record<string, unknown>): { rest: Record<string, unknown>; controls: GatewayControls } {
  const rest: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) (CONTROL_NAMES.has(k) ? raw : rest)[k] = v;
  const { fallbacks, ...controls } = parseBody(controlsSchema, raw) as GatewayControls & { fallbacks?: unknown[] };
  if (fallbacks !== undefined) Object.assign(controls, fallbackForms(fallbacks, undefined));
  fromMetadata(rest, controls);
  return { rest, controls };
}

export function requireModel(body: Record<string, unknown>) {
  if (typeof body.model !== 'string' || body.model === '') {
    throw badRequest('you must provide a model parameter', 'model', 'missing_required_parameter');
  }
  if (body.model.length > MAX_NAME_LENGTH) throw tooLong('model', body.model, MAX_NAME_LENGTH);
}

export function parseChatRequest(body: unknown): { request: ChatRequest; controls: GatewayControls } {
  return split(parseBody(chatBody, body), CHAT_PARAMS);
}

export function parseEmbeddingRequest(body: unknown): { request: EmbeddingRequest; controls: GatewayControls } {
  return split(parseBody(embeddingBody, body), EMBEDDING_PARAMS);
}

/**
 * mock_response and its latency are taken only where every deployment of the requested group is a mock/ one:
 * elsewhere a client could make up a real deployment's answer (and its cache entry). An unknown model passes
 * here and gets its 404 from the router.
 */
export function checkMockControls(controls: GatewayControls, groups: ModelGroups, model: string): void {
  const used = (['mock_response', 'mock_response_latency_ms'] as const).find((k) => controls[k] !== undefined);
  if (!used) return;
  let group: string;
  try {
    group = groups.resolve(model);
  } catch {
    return;
  }
  if (groups.deployments(group).every((d) => d.provider.name === 'mock')) return;
  throw badRequest(`'${used}' is only accepted for model groups served by mock/ deployments; '${model}' is not one.`, used, 'invalid_value');
}

/** About four characters a token: the estimate used wherever no real token count is known. */
export const CHARS_PER_TOKEN = 4;

/** A cheap prompt-token estimate, corrected later by the real usage. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
