// LiteLLM's provider pass-through routes: /<provider>/<path> forwarded as is to the provider's API, with the
// gateway's key for that provider (the first deployment of it in model_list), never the client's credentials
// or an api_base of the client's. Not routed: one upstream, the answer streamed back (text scrubbed).
import type { Context } from 'hono';
import type { Deployment } from '../router/deployment';
import { RouterError } from '../router/errors';
import { scrub } from '../security/scrub';

/** Per provider prefix: its API's origin (none: the deployment's api_base) and the header its key goes in. */
const PROVIDERS: Record<string, [origin: string | undefined, header: string]> = {
  openai: ['https://api.openai.com', 'authorization'],
  anthropic: ['https://api.anthropic.com', 'x-api-key'],
  gemini: ['https://generativelanguage.googleapis.com', 'x-goog-api-key'],
  cohere: ['https://api.cohere.com', 'authorization'],
  mistral: ['https://api.mistral.ai', 'authorization'],
  azure: [undefined, 'api-key'],
};

export const PASS_THROUGH = /^\/(openai|anthropic|gemini|cohere|mistral|azure|vertex_ai|bedrock)\//;

/** Client headers a provider's API reads besides its key; nothing else of the client's is sent. */
const KEPT = ['content-type', 'accept', 'anthropic-version', 'anthropic-beta', 'openai-beta'];

export async function passThrough(c: Context, deployments: Iterable<Deployment>, fetcher: typeof fetch, body?: Uint8Array): Promise<Response> {
  const url = new URL(c.req.url);
  const [, prefix] = PASS_THROUGH.exec(url.pathname)!;
  const known = PROVIDERS[prefix];
  if (!known) throw new RouterError('BadRequestError', `Pass-through to ${prefix} is not served (it signs its own requests): call its models through /v1/chat/completions`, { code: 'unsupported_pass_through' });
  let d: Deployment | undefined;
  for (const x of deployments) if (x.params.model.startsWith(`${prefix}/`) && x.params.api_key) (d ??= x);
  if (!d) throw new RouterError('BadRequestError', `No ${prefix}/ deployment with an api_key in model_list: pass-through to ${prefix} has no credentials`, { code: 'unknown_pass_through' });
  const key = d.params.api_key!;
  const origin = d.params.api_base ? new URL(d.params.api_base).origin : known[0]!;
  const headers: Record<string, string> = { [known[1]]: known[1] === 'authorization' ? `Bearer ${key}` : key };
  for (const name of KEPT) {
    const v = c.req.header(name);
    if (v) headers[name] = v;
  }
  // A key in the query (Gemini's ?key=) is the client's, never forwarded.
  url.searchParams.delete('key');
  const res = await fetcher(`${origin}${url.pathname.slice(prefix.length + 1)}${url.search}`, {
    method: c.req.method,
    headers,
    body,
    signal: c.req.raw.signal,
  });
  const type = res.headers.get('content-type') ?? '';
  const out = new Headers({ 'content-type': type });
  if (!/json|text|event-stream/.test(type)) return new Response(res.body, { status: res.status, headers: out });
  // Text, JSON and event streams pass the scrubber chunk by chunk (events come whole from these APIs).
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const scrubbed = res.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ transform: (chunk, ctl) => ctl.enqueue(encoder.encode(scrub(decoder.decode(chunk, { stream: true }), d))) }),
  );
  return new Response(scrubbed, { status: res.status, headers: out });
}
