// The OpenAI-compatible hosts LiteLLM serves by prefix, as data: where each lives, which env vars LiteLLM reads
// for its key and base, and what it does differently. Each default base and env var name is LiteLLM's own
// (litellm/litellm_core_utils/get_llm_provider_logic.py and litellm/llms/<provider>/). Adding a host is one row
// here and one row in test/providers/catalogue.test.ts.

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

const RERANK = { rerank: 'rerank' } as const;
const AUDIO_IN = { 'audio/transcriptions': 'audio/transcriptions', 'audio/translations': 'audio/translations' } as const;

/** OpenAI's tool and sampling parameters that Perplexity does not take (LiteLLM's PerplexityChatConfig). */
const NO_TOOLS = ['tools', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call', 'n', 'stop', 'seed', 'logprobs', 'top_logprobs', 'logit_bias'];

export const CATALOGUE: Readonly<Record<string, CompatibleHost>> = {
  deepseek: { base: 'https://api.deepseek.com/beta', embeddings: false },
  // Mistral's API sends the usage in its last chunk unasked, and refuses stream_options.
  mistral: { base: 'https://api.mistral.ai/v1', streamOptions: false },
  codestral: { base: 'https://codestral.mistral.ai/v1', embeddings: false, streamOptions: false },
  together_ai: {
    base: 'https://api.together.xyz/v1',
    keyEnv: ['TOGETHER_API_KEY', 'TOGETHER_AI_API_KEY', 'TOGETHERAI_API_KEY', 'TOGETHER_AI_TOKEN'],
    serves: { ...RERANK, 'images/generations': 'images/generations' },
  },
  fireworks_ai: {
    base: 'https://api.fireworks.ai/inference/v1',
    keyEnv: ['FIREWORKS_API_KEY', 'FIREWORKS_AI_API_KEY', 'FIREWORKSAI_API_KEY', 'FIREWORKS_AI_TOKEN'],
    baseEnv: ['FIREWORKS_API_BASE'],
    modelPrefix: 'accounts/fireworks/models/',
  },
  openrouter: { base: 'https://openrouter.ai/api/v1', keyEnv: ['OPENROUTER_API_KEY', 'OR_API_KEY'], baseEnv: ['OPENROUTER_API_BASE', 'OR_API_BASE'], embeddings: false },
  xai: { base: 'https://api.x.ai/v1', embeddings: false, serves: { 'images/generations': 'images/generations' } },
  perplexity: {
    base: 'https://api.perplexity.ai',
    keyEnv: ['PERPLEXITYAI_API_KEY', 'PERPLEXITY_API_KEY'],
    embeddings: false,
    unsupported: NO_TOOLS,
  },
  cerebras: { base: 'https://api.cerebras.ai/v1', embeddings: false },
  deepinfra: { base: 'https://api.deepinfra.com/v1/openai' },
  sambanova: { base: 'https://api.sambanova.ai/v1' },
  nvidia_nim: { base: 'https://integrate.api.nvidia.com/v1' },
  groq: {
    base: 'https://api.groq.com/openai/v1',
    embeddings: false,
    // Groq's OpenAI-compatibility page: these answer 400.
    unsupported: ['logprobs', 'logit_bias', 'top_logprobs'],
    serves: { ...AUDIO_IN, 'audio/speech': 'audio/speech' },
  },
  // Ollama's OpenAI-compatible API (/v1 of its server); LiteLLM's ollama/ and ollama_chat/ take the server's root as api_base.
  ollama: { base: 'http://localhost:11434', path: '/v1' },
  ollama_chat: { base: 'http://localhost:11434', path: '/v1', keyEnv: ['OLLAMA_API_KEY'], baseEnv: ['OLLAMA_API_BASE'] },
  // vLLM's server: /v1/rerank (Jina's and Cohere's shape) and Whisper models' transcriptions.
  hosted_vllm: { serves: { ...RERANK, ...AUDIO_IN } },
  lm_studio: {},
  // Cohere's rerank on Azure AI serves Cohere's v1 API under its endpoint (LiteLLM's AzureAIRerankConfig).
  azure_ai: { auth: 'azure-ai', serves: { rerank: 'v1/rerank' } },
  github: { base: 'https://models.inference.ai.azure.com' },
  // Hugging Face's Inference Providers router: `huggingface/<org>/<model>` (optionally `:<provider>`).
  huggingface: { base: 'https://router.huggingface.co/v1', keyEnv: ['HF_TOKEN', 'HUGGINGFACE_API_KEY'], embeddings: false },
  // Cohere's OpenAI compatibility API (chat and embeddings), not LiteLLM's native Cohere translation.
  // Rerank: Cohere's own v2 API, or v1 with api_base https://api.cohere.com/v1 (both take LiteLLM's fields).
  cohere: {
    base: 'https://api.cohere.ai/compatibility/v1',
    keyEnv: ['COHERE_API_KEY', 'CO_API_KEY'],
    streamOptions: false,
    serves: { rerank: '/v2/rerank' },
  },
  // Rerank and embedding hosts (LiteLLM's jina_ai/ and voyage/): Voyage's rerank takes top_k and answers `data`.
  jina_ai: { base: 'https://api.jina.ai/v1', chat: false, serves: RERANK },
  voyage: { base: 'https://api.voyageai.com/v1', chat: false, serves: RERANK },
};
