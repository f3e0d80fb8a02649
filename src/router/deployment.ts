// One entry of model_list, normalised: its id, its group, its provider and its limits.
import { SECRET_PARAMS } from '../config/secrets';
import type { LitellmParams, ModelInfo, ModelListEntry } from '../config/types';
import { knownModelInfo } from '../pricing';
import type { Provider } from '../providers/provider';
import { resolveProvider } from '../providers/registry';
import { paramSecrets, rememberSecrets, scrub } from '../security/scrub';

export interface Deployment {
  /** model_info.id, else a stable hash of the non-secret params (LiteLLM's x-litellm-model-id). */
  id: string;
  /** The model group: model_name. */
  group: string;
  provider: Provider;
  /** The model name the provider is asked for (the part after `provider/`). */
  upstreamModel: string;
  params: LitellmParams;
  info: ModelInfo;
  tpm?: number;
  rpm?: number;
  weight?: number;
  /** The upstream's base URL for display, scrubbed (providers build request URLs from params.api_base). */
  apiBase: string;
}


export function toDeployments(models: ModelListEntry[]): Deployment[] {
  const seen = new Set<string>();
  return models.map((m, i) => {
    let resolved: ReturnType<typeof resolveProvider>;
    try {
      resolved = resolveProvider(m.litellm_params.model);
    } catch (e) {
      throw new Error(`model_list[${i}].litellm_params.model: ${(e as Error).message}`);
    }
    const { provider, upstreamModel } = resolved;
    // Absent params were filled from the env by the provider's names at config load (providers/env-defaults.ts).
    const params = m.litellm_params;
    const fault = provider.check?.(params);
    if (fault) throw new Error(`model_list[${i}].litellm_params.${fault}`);
    let id = m.model_info?.id ?? stableId(m);
    // Two entries that differ only in their secret: keep ids unique without hashing the secret.
    for (let n = 2; seen.has(id); n++) id = `${stableId(m)}-${n}`;
    seen.add(id);
    const d: Deployment = {
      id,
      group: m.model_name,
      provider,
      upstreamModel,
      params,
      // LiteLLM's known prices and context window, under the deployment's own model_info (which always wins).
      info: { ...knownModelInfo(m.litellm_params.model, m.model_info), ...m.model_info },
      tpm: m.tpm ?? m.litellm_params.tpm,
      rpm: m.rpm ?? m.litellm_params.rpm,
      weight: m.litellm_params.weight,
      apiBase: '',
    };
    rememberSecrets(paramSecrets(params)); // after env defaults, so a key read from the env is a secret too
    // Shown in headers, logs, metrics labels and the dashboard: never with user-info or a key in its query.
    d.apiBase = scrub(provider.apiBase(d));
    return d;
  });
}

function stableId(m: ModelListEntry): string {
  const params = Object.entries(m.litellm_params)
    .filter(([k]) => !SECRET_PARAMS.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return hash53(JSON.stringify([m.model_name, params]));
}

/** cyrb53: a fast, well-spread 53-bit string hash (sync, unlike WebCrypto). */
export function hash53(s: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
