// OpenAI, and any OpenAI-compatible server through api_base: the request passes through as is.
import type { Deployment } from '../router/deployment';
import { chatDialectHidingUsage } from '../stream/chat';
import { postJson, upstreamJson, upstreamJsonText } from './http';
import type { ChatCompletion, ChatRequest, EmbeddingResponse } from './openai-types';
import type { Provider, UpstreamCall } from './provider';

const DEFAULT_BASE = 'https://api.openai.com/v1';

const trimSlash = (s: string) => s.replace(/\/+$/, '');

function headers(d: Deployment): Record<string, string> {
  const h: Record<string, string> = {};
  if (d.params.api_key) h.authorization = `Bearer ${d.params.api_key}`;
  if (d.params.organization) h['openai-organization'] = d.params.organization;
  return h;
}

/**
 * A streamed request asks the upstream for its usage chunk (`stream_options.include_usage`), so what is booked is
 * the upstream's count, not an estimate; when the client did not ask for it, the relay drops it from the client's
 * stream (as LiteLLM's proxy does unless always_include_stream_usage says otherwise).
 */
function withStreamUsage(body: ChatRequest): ChatRequest | undefined {
  if (!body.stream || body.stream_options?.include_usage === true) return undefined;
  return { ...body, stream_options: { ...body.stream_options, include_usage: true } };
}

/**
 * An OpenAI-wire provider: the shape shared by OpenAI itself and Azure (which differs in URL and auth).
 * `streamUsage`: whether this deployment's upstream takes `stream_options` (all but a few do).
 */
export function openAIWire(
  name: string,
  url: (d: Deployment, endpoint: 'chat/completions' | 'embeddings' | 'responses') => string,
  auth: (d: Deployment) => Record<string, string>,
  base: (d: Deployment) => string,
  check?: Provider['check'],
  streamUsage: (d: Deployment) => boolean = () => true,
): Provider {
  return {
    name,
    apiBase: base,
    check,
    // The Responses API passes through; the client's headers are not forwarded (only this deployment's auth).
    passthrough: { responses: (call) => postJson(call, url(call.deployment, 'responses'), auth(call.deployment), call.body) },
    async chat(call) {
      const asked = streamUsage(call.deployment) ? withStreamUsage(call.body) : undefined;
      const res = await postJson(call, url(call.deployment, 'chat/completions'), auth(call.deployment), asked ?? call.body);
      if (call.body.stream) return { kind: 'stream', stream: res.body ?? new ReadableStream(), dialect: asked && chatDialectHidingUsage };
      const { value, text } = await upstreamJsonText<ChatCompletion>(res, call.deployment);
      return { kind: 'json', body: value, text };
    },
    async embeddings(call: UpstreamCall<Parameters<NonNullable<Provider['embeddings']>>[0]['body']>) {
      const res = await postJson(call, url(call.deployment, 'embeddings'), auth(call.deployment), call.body);
      return upstreamJson<EmbeddingResponse>(res, call.deployment);
    },
  };
}

const openaiBase = (d: Deployment) => trimSlash(d.params.api_base ?? DEFAULT_BASE);

export const openai: Provider = {
  ...openAIWire('openai', (d, endpoint) => `${openaiBase(d)}/${endpoint}`, headers, openaiBase),
  env: { api_key: ['OPENAI_API_KEY'], api_base: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'], organization: ['OPENAI_ORGANIZATION'] },
};
