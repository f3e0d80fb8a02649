// A Provider for each OpenAI-compatible host of the catalogue: the request passes through openAIWire as is, to
// the host's base (or api_base), with its key as a Bearer token (or `api-key`, for Azure AI's own hosts).
import { CHAT_PARAMS } from '../router/request';
import type { Deployment } from '../router/deployment';
import type { CompatibleHost } from './catalogue';
import { openAIWire } from './openai';
import type { Endpoint, Provider } from './provider';
import { RouterError } from '../router/errors';

/** Azure AI Foundry's and Azure OpenAI's hosts take the key as `api-key` (LiteLLM's AzureAIStudioConfig). */
const azureKeyHost = (base: string) => /^https?:\/\/[^/]*\.(services\.ai|openai)\.azure\.com(?:[:/]|$)/i.test(base);

export function compatibleProvider(prefix: string, host: CompatibleHost): Provider {
  const name = prefix.toUpperCase();
  const { keyEnv = [`${name}_API_KEY`], baseEnv = [`${name}_API_BASE`] } = host;
  const base = (d: Deployment) => (d.params.api_base ?? host.base ?? '').replace(/\/+$/, '');
  const url = (d: Deployment, endpoint: string) => {
    const b = base(d);
    if (host.auth !== 'azure-ai') return `${b}${host.path ?? ''}/${endpoint}`;
    // Foundry's services.ai.azure.com serves models under /models; api_version goes in the query when set.
    const path = /\.services\.ai\.azure\.com/i.test(b) && !/\/models$/.test(b) ? '/models' : '';
    const version = d.params.api_version ? `?api-version=${encodeURIComponent(d.params.api_version)}` : '';
    return `${b}${path}/${endpoint}${version}`;
  };
  const auth = (d: Deployment): Record<string, string> => {
    const key = d.params.api_key;
    if (!key) return {};
    return host.auth === 'azure-ai' && azureKeyHost(base(d)) ? { 'api-key': key } : { authorization: `Bearer ${key}` };
  };
  const check: Provider['check'] = (params) =>
    host.base || params.api_base ? undefined : `api_base: required for ${prefix}/ deployments (or set ${baseEnv[0]} in the Worker's env)`;
  const serves = host.serves ?? {};
  const routeUrl = (d: Deployment, endpoint: string) => {
    const path = serves[endpoint as Endpoint];
    if (!path) return url(d, endpoint);
    if (!path.startsWith('/')) return `${base(d)}${host.path ?? ''}/${path}`;
    return d.params.api_base ? `${base(d)}/${path.replace(/^\/v\d+\//, '')}` : new URL(path, host.base).href;
  };
  const wire = openAIWire(prefix, routeUrl, auth, base, check, () => host.streamOptions !== false, new Set(Object.keys(serves) as Endpoint[]));
  const model = (m: string) => (host.modelPrefix && !m.startsWith(host.modelPrefix) && !m.startsWith('accounts/') ? host.modelPrefix + m : m);
  const unsupported = new Set(host.unsupported ?? []);
  return {
    name: prefix,
    apiBase: base,
    check,
    env: { api_key: keyEnv, api_base: baseEnv },
    supportedParams: unsupported.size ? new Set([...CHAT_PARAMS].filter((p) => !unsupported.has(p))) : undefined,
    chat: (call) =>
      host.chat === false ? Promise.reject(new RouterError('BadRequestError', `${prefix}/ serves no chat completions`)) : wire.chat({ ...call, body: { ...call.body, model: model(call.body.model) } }),
    endpoints: wire.endpoints,
    forward: (endpoint, call) => {
      // Voyage's rerank names LiteLLM's top_n top_k (its answer's `data` is read as `results` by the router).
      const b = call.body;
      if (prefix !== 'voyage' || b instanceof FormData || b.top_n === undefined) return wire.forward!(endpoint, call);
      const { top_n, ...rest } = b;
      return wire.forward!(endpoint, { ...call, body: { ...rest, top_k: top_n } });
    },
    passthrough: { completions: wire.passthrough!.completions },
    embeddings: host.embeddings === false ? undefined : (call) => wire.embeddings!({ ...call, body: { ...call.body, model: model(call.body.model) } }),
  };
}

