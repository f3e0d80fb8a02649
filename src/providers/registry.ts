// Which provider serves `litellm_params.model`, by its prefix, as LiteLLM chooses.
import { RouterError } from '../router/errors';
import { anthropic } from './anthropic';
import { azure } from './azure';
import { bedrock } from './bedrock';
import type { AssetTable } from '../assets/tables';
import type { CompatibleHost } from './catalogue';
import { compatibleProvider } from './compatible';
import { gemini } from './gemini';
import { mock } from './mock';
import { openai } from './openai';
import type { Provider } from './provider';
import { vertex } from './vertex';

/** Adding a provider: one file exporting a Provider, one line here (an OpenAI-compatible host: one row in public/providers.json). */
const BY_PREFIX: Record<string, Provider> = { openai, azure, anthropic, gemini, vertex_ai: vertex, bedrock, mock };

let hosts: 'read' | 'missing' | undefined;

/** The OpenAI-compatible hosts (catalogue.ts), each served by its prefix once the table is read. */
export const HOSTS: AssetTable = {
  file: 'providers.json',
  what: "the OpenAI-compatible hosts' catalogue",
  loaded: () => !!hosts,
  set(rows) {
    if (hosts === 'read') return;
    hosts = rows ? 'read' : 'missing';
    for (const [prefix, host] of Object.entries((rows ?? {}) as Record<string, CompatibleHost>)) BY_PREFIX[prefix] ??= compatibleProvider(prefix, host);
  },
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

/** The provider serving `model`, or undefined when this gateway serves none (router/deployment.ts: unserved). */
export function findProvider(model: string): { provider: Provider; upstreamModel: string } | undefined {
  const slash = model.indexOf('/');
  if (slash > 0) {
    const provider = BY_PREFIX[model.slice(0, slash)];
    const upstreamModel = model.slice(slash + 1);
    // A prefix that serves model families apart (vertex_ai/: Gemini, Claude) picks the family's provider.
    if (provider) return { provider: provider.forModel?.(upstreamModel) ?? provider, upstreamModel };
  }
  for (const [pattern, provider] of BARE) if (pattern.test(model)) return { provider, upstreamModel: model };
  return undefined;
}

/** A model no provider here serves: what a call to it answers. */
export const noProvider = (model: string) =>
  new RouterError(
    'BadRequestError',
    `No provider for model "${model}": use one of the prefixes ${Object.keys(BY_PREFIX).join('/, ')}/; any other OpenAI-compatible server works as openai/<model> with api_base${hosts === 'read' ? '' : ` (public/${HOSTS.file}, the other hosts' prefixes, is not loaded)`}`,
    { param: 'model', code: 'provider_not_served' },
  );

export function resolveProvider(model: string): { provider: Provider; upstreamModel: string } {
  const found = findProvider(model);
  if (found) return found;
  throw noProvider(model);
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
