// A deployment whose provider this gateway does not serve (sagemaker/, text-completion-openai/, a bare dall-e-3):
// LiteLLM loads such a config and fails only that model when called, so it loads here too, with a warning at
// build and in check-config, and every call to that deployment answers a 400 that names the provider.
import { RouterError } from '../router/errors';
import type { Provider } from './provider';
import { servedPrefixes } from './registry';

/** What a model names as its provider: the prefix before `/`, else the model itself (a bare name). */
export const providerName = (model: string) => (model.indexOf('/') > 0 ? model.slice(0, model.indexOf('/')) : model);

export const unservedMessage = (model: string) =>
  model.indexOf('/') > 0
    ? `provider "${providerName(model)}" (model "${model}") is not served by this gateway`
    : `model "${model}" names no provider this gateway serves (give it a prefix such as openai/)`;

export function unservedProvider(model: string): Provider {
  const refuse = () =>
    Promise.reject(
      new RouterError(
        'BadRequestError',
        `This deployment cannot be called: ${unservedMessage(model)} (served: ${servedPrefixes().join(', ')}; any other OpenAI-compatible server works as openai/<model> with api_base)`,
        { param: 'model', code: 'provider_not_served' },
      ),
    );
  return { name: providerName(model), apiBase: (d) => d.params.api_base ?? '', chat: refuse, embeddings: refuse };
}
