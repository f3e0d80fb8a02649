// The OpenAI-compatible hosts LiteLLM serves by prefix, as data: public/providers.json, a static asset outside the
// Worker's bundle (src/assets/tables.ts reads it; registry.ts serves its rows), a row per host: where it lives,
// which env vars LiteLLM reads for its key and base, and what it does differently (`_`: a note). Each default base
// and env var name is LiteLLM's own (litellm/litellm_core_utils/get_llm_provider_logic.py and
// litellm/llms/<provider>/). Adding a host is one row there and one row in test/providers/catalogue.test.ts.

import type { Endpoint } from './provider';

export interface CompatibleHost {
  /** The default api_base; none: api_base (or the first baseEnv variable) is required. */
  base?: string;
  /** Env vars LiteLLM reads for the key when api_key is absent, first found wins; else `<PREFIX>_API_KEY`. */
  keyEnv?: readonly string[];
  /** Env vars LiteLLM reads for the base when api_base is absent; else `<PREFIX>_API_BASE`. */
  baseEnv?: readonly string[];
  /** Between the base and `/chat/completions` (Ollama serves OpenAI's API under /v1 of its own base). */
  path?: string;
  /** Prepended to the model unless it already starts with it (Fireworks' account path). */
  modelPrefix?: string;
  /** `azure-ai`: the `api-key` header on *.services.ai.azure.com and *.openai.azure.com (under /models there), else Bearer. */
  auth?: 'azure-ai';
  /** False: the host has no /embeddings. */
  embeddings?: false;
  /** OpenAI parameters the host refuses: dropped under drop_params, else a 400 naming them. */
  unsupported?: readonly string[];
  /**
   * False: the host refuses `stream_options` (Mistral answers 422 extra_forbidden), so a stream is not asked for
   * its usage chunk: its usage is what it sends unasked, else an estimate.
   */
  streamOptions?: false;
  /**
   * The routes beyond chat and embeddings the host serves, each passed through to this path under the base; a
   * path starting with `/` is from the default base's origin (Cohere's rerank is not under its compatibility
   * API), and under a deployment's own api_base without its version (api_base https://api.cohere.com/v1: v1).
   */
  serves?: Partial<Record<Endpoint, string>>;
  /** False: the host serves no chat (a rerank or embedding host). */
  chat?: false;
}
