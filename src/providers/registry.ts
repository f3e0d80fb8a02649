// Which provider serves `litellm_params.model`, by its prefix, as LiteLLM chooses.
import { RouterError } from '../router/errors';
import { anthropic } from './anthropic';
import { azure } from './azure';
import { bedrock } from './bedrock';
import { CATALOGUE } from './catalogue';
import { compatibleProvider } from './compatible';
import { gemini } from './gemini';
import { mock } from './mock';
import { openai } from './openai';
import type { Provider } from './provider';
import { vertex } from './vertex';

/** Adding a provider: one file exporting a Provider, one line here (an OpenAI-compatible host: one row in catalogue.ts). */
const BY_PREFIX: Record<string, Provider> = {
  openai,
  azure,
  anthropic,
  gemini,
  vertex_ai: vertex,
  bedrock,
  mock,
  ...Object.fromEntries(Object.entries(CATALOGUE).map(([prefix, host]) => [prefix, compatibleProvider(prefix, host)])),
};

/** Bare model names LiteLLM maps to a provider without a prefix. */
const BARE: Array<[RegExp, Provider]> = [
  [/^(gpt-|o1|o3|o4|chatgpt-|text-embedding-|davinci|babbage)/, openai],
  [/^claude-/, anthropic],
];

export function registerProvider(prefix: string, provider: Provider, bare?: RegExp) {
  BY_PREFIX[prefix] = provider;
  if (bare) BARE.push([bare, provider]);
}

export function resolveProvider(model: string): { provider: Provider; upstreamModel: string } {
  const slash = model.indexOf('/');
  if (slash > 0) {
    const provider = BY_PREFIX[model.slice(0, slash)];
    const upstreamModel = model.slice(slash + 1);
    // A prefix that serves model families apart (vertex_ai/: Gemini, Claude) picks the family's provider.
    if (provider) return { provider: provider.forModel?.(upstreamModel) ?? provider, upstreamModel };
  }
  for (const [pattern, provider] of BARE) if (pattern.test(model)) return { provider, upstreamModel: model };
  throw new RouterError(
    'BadRequestError',
    `No provider for model "${model}": use one of the prefixes ${Object.keys(BY_PREFIX)
      .map((p) => `${p}/`)
      .join(', ')}; any other OpenAI-compatible server works as openai/<model> with api_base`,
  );
}

/** The provider a model is served by, as provider_budget_config names it: its prefix, or the provider of a bare name. */
export function providerOf(model: string): string {
  const slash = model.indexOf('/');
  if (slash > 0 && model.slice(0, slash) in BY_PREFIX) return model.slice(0, slash);
  try {
    return resolveProvider(model).provider.name;
  } catch {
    return model; // a wildcard or unknown model: validation says what is wrong with it
  }
}
