// LiteLLM's provider pass-through routes: /<provider>/<path> forwarded as is to the provider's API, with the
// gateway's key for that provider (the first deployment of it in model_list), never the client's credentials
// or an api_base of the client's. Not routed: one upstream, the answer streamed back (text scrubbed).
import type { Context } from 'hono';
import type { Deployment } from '../router/deployment';
import { RouterError } from '../router/errors';
import { scrubBytes } from '../security/scrub';
import type { Usage } from '../providers/openai-types';
import { costOf, knownModelInfo } from '../pricing';

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

/** Token counts as OpenAI, Anthropic (and the Responses API) and Gemini name them, for prompt and completion. */
const TOKENS = /"(prompt_tokens|input_tokens|promptTokenCount|completion_tokens|output_tokens|candidatesTokenCount)"\s*:\s*(\d+)/g;

/** The model a request names: in its JSON body, or in Gemini's path (`/models/<model>:generateContent`). */
export function namedModel(path: string, body: ArrayBuffer | undefined): string | undefined {
  let named: unknown;
  try {
    named = body && JSON.parse(new TextDecoder().decode(body)).model;
  } catch {
    // not JSON: nothing named
  }
  return typeof named === 'string' ? named : /\/models\/([^/:]+)/.exec(path)?.[1];
}

/**
 * Forwards the request; `onEnd` hears, once, when the answer has been relayed (or the client left): its status,
 * and the usage the answer reported (the largest count of each kind seen, as streams repeat or grow them) with
 * its cost at the named model's price.
 */
export async function passThrough(
  c: Context,
  deployments: Iterable<Deployment>,
  fetcher: typeof fetch,
  body: ArrayBuffer | undefined,
  model: string | undefined,
  onEnd: (status: number, spent: { usage?: Usage; cost?: number }) => void,
): Promise<Response> {
  const url = new URL(c.req.url);
  const [, prefix] = PASS_THROUGH.exec(url.pathname)!;
  const known = PROVIDERS[prefix];
  if (!known) throw new RouterError('BadRequestError', `Pass-through to ${prefix} is not served (it signs its own requests): call its models through /v1/chat/completions`, { code: 'unsupported_pass_through' });
  // The first deployment of the provider with a key lends it; one of the named model prices the call (else LiteLLM's table).
  let d: Deployment | undefined;
  let priced = model ? knownModelInfo(`${prefix}/${model}`, undefined) : undefined;
  for (const x of deployments) {
    if (!x.params.model.startsWith(`${prefix}/`)) continue;
    if (x.params.api_key) d ??= x;
    if (x.upstreamModel === model) priced = x.info;
  }
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
  const res = await fetcher(`${origin}${url.pathname.slice(prefix.length + 1)}${url.search}`, { method: c.req.method, headers, body, signal: c.req.raw.signal });
  const counts = [0, 0];
  const decoder = new TextDecoder();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const [prompt_tokens, completion_tokens] = counts;
    const usage = prompt_tokens + completion_tokens ? { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens } : undefined;
    onEnd(res.status, { usage, cost: costOf(priced, usage) });
  };
  // Every chunk scrubbed of the gateway's secrets (events come whole from these APIs), and read for its usage.
  const relayed = res.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        for (const [, name, n] of decoder.decode(chunk, { stream: true }).matchAll(TOKENS)) {
          const i = /prompt|input/.test(name) ? 0 : 1;
          counts[i] = Math.max(counts[i], Number(n));
        }
        ctl.enqueue(scrubBytes(chunk));
      },
      flush: end,
      cancel: end,
    }),
  );
  if (!relayed) end();
  return new Response(relayed, { status: res.status, headers: { 'content-type': res.headers.get('content-type') ?? '' } });
}
