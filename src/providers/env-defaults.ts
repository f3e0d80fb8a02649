// LiteLLM reads a provider's key (and base, project, region...) from os.environ when a deployment leaves it out
// (MISTRAL_API_KEY for mistral/, ...). In a Worker the env is its vars and secrets: each Provider names what it
// reads (`Provider.env`), and config loading fills the absent litellm_params from there, before validation.
import { resolveProvider } from './registry';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fills, in place, each model_list entry's absent litellm_params from `env` by its provider's names. */
export function applyEnvDefaults(config: unknown, env: Record<string, unknown>): void {
  const models = isObject(config) ? config.model_list : undefined;
  if (!Array.isArray(models)) return;
  for (const entry of models) {
    const params = isObject(entry) ? entry.litellm_params : undefined;
    if (!isObject(params) || typeof params.model !== 'string') continue;
    try {
      fillFromEnv(params, resolveProvider(params.model).provider.env, env);
    } catch {
      // an unknown prefix is reported by validation, with its key path
    }
  }
}

/** Each absent param of `names` from the first of its env names that is set (guardrails' services read theirs too). */
export function fillFromEnv(params: Record<string, unknown>, names: Readonly<Record<string, readonly string[]>> | undefined, env: Record<string, unknown>) {
  for (const [param, vars] of Object.entries(names ?? {})) {
    if (params[param] !== undefined) continue;
    const found = vars.map((v) => env[v]).find((v) => typeof v === 'string' && v !== '');
    if (found !== undefined) params[param] = found;
  }
}
