// One entry of model_list, normalised: its id, its group, its provider and its limits.
import type { LitellmParams, ModelInfo, ModelListEntry } from '../config/types';
import { knownModelInfo } from '../pricing';
import type { Provider } from '../providers/provider';
import { findProvider, noProvider, resolveProvider } from '../providers/registry';
import { paramSecrets, rememberSecrets, scrubUrl } from '../security/scrub';
import { sha256Hex } from '../utils/sha256';
import { RouterError } from './errors';

export interface Deployment {
  /** model_info.id, else LiteLLM's id: a SHA-256 of model_name and litellm_params (M06). */
  id: string;
  /** The model group: model_name (a pattern such as `openai/*` for a wildcard group). */
  group: string;
  provider: Provider;
  /** The model name the provider is asked for (the part after `provider/`). */
  upstreamModel: string;
  params: LitellmParams;
  info: ModelInfo;
  tpm?: number;
  rpm?: number;
  weight?: number;
  /** litellm_params.order: lower orders are used first. */
  order?: number;
  /** litellm_params.tags, for tag routing. */
  tags?: string[];
  /** litellm_params.model has `*`: filled in per request from the requested name (see concreteFor). */
  wildcard: boolean;
  /** The upstream's base URL for display, scrubbed (providers build request URLs from params.api_base). */
  apiBase: string;
}

/** Stands in for the provider of `model: "*"` until a request names the model. */
const perRequest: Provider = {
  name: 'wildcard',
  apiBase: (d) => d.params.api_base ?? '',
  chat: () => Promise.reject(new RouterError('BadRequestError', 'A wildcard deployment needs a model name')),
};

export function toDeployments(models: ModelListEntry[]): Deployment[] {
  const seen = new Set<string>();
  return models.map((m) => {
    const model = m.litellm_params.model;
    const wildcard = model.includes('*');
    // Unserved (as LiteLLM, the rest of the config serves): a warning at load (config/deployments.ts), a 400 when called.
    const resolved = findProvider(model) ?? { provider: wildcard ? perRequest : unserved(model), upstreamModel: model };
    const { provider, upstreamModel } = resolved;
    // Absent params were filled from the env by the provider's names at config load (providers/env-defaults.ts).
    // A provider's fault in litellm_params (provider.check) refused the config at load (config/deployments.ts).
    const base = m.model_info?.id ?? litellmId(m);
    let id = base;
    // Two identical entries: LiteLLM would keep one; both are kept here, told apart.
    for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
    seen.add(id);
    const p = m.litellm_params;
    const d: Deployment = {
      id,
      group: m.model_name,
      provider,
      upstreamModel,
      params: p,
      // LiteLLM's known prices and context window, under the deployment's own model_info (which always wins).
      info: { ...knownModelInfo(p.model, m.model_info), ...m.model_info },
      tpm: m.tpm ?? p.tpm,
      rpm: m.rpm ?? p.rpm,
      weight: p.weight,
      order: p.order,
      tags: p.tags,
      wildcard,
      apiBase: '',
    };
    rememberSecrets(paramSecrets(p)); // after env defaults, so a key read from the env is a secret too
    // Shown in headers, logs, metrics labels and the dashboard: never with user-info or a key in its query.
    d.apiBase = scrubUrl(provider.apiBase(d));
    return d;
  });
}

/**
 * A wildcard deployment made concrete for one request, as LiteLLM's PatternMatchRouter does: each `*` of
 * litellm_params.model takes the matching part of the requested name, in order (`openai/*` serving
 * `gpt-4o` via a `*` group asks openai for `gpt-4o`); with more parts than `*`s, the requested name itself.
 */
export function concreteFor(d: Deployment, captures: readonly string[], requested: string): Deployment {
  if (!d.wildcard) return d;
  const stars = d.params.model.split('*').length - 1;
  let model = requested;
  if (captures.length <= stars) {
    model = d.params.model;
    // An exact group over a wildcard model: the requested name fills the `*`.
    for (const part of captures.length > 0 ? captures : [requested]) model = model.replace('*', part);
  }
  return withModel(d, model);
}

/** The deployment with another litellm_params.model (its provider resolved again). */
export function withModel(d: Deployment, model: string): Deployment {
  const { provider, upstreamModel } = resolveProvider(model);
  const c: Deployment = { ...d, provider, upstreamModel, params: { ...d.params, model } };
  c.apiBase = provider.apiBase(c);
  return c;
}

/**
 * LiteLLM's `Router._generate_model_id` (M06): sha256 hex of model_name followed by each litellm_params key
 * and value in config order (strings as they are, objects as Python's json.dumps, the rest as Python's str()),
 * after os.environ/ resolution, so x-litellm-model-id matches what LiteLLM reports for the same config.
 */
export function litellmId(m: ModelListEntry): string {
  let s = m.model_name;
  for (const [k, v] of Object.entries(m.litellm_params)) {
    s += k + (typeof v === 'string' ? v : isObject(v) ? pyJson(v) : pyStr(v));
  }
  return sha256Hex(s);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Python's str() of a YAML scalar or list. A YAML float with no fraction (`30.0`) reads as an int here. */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? pyRepr(x) : isObject(x) ? pyDictRepr(x) : pyStr(x))).join(', ')}]`;
  if (isObject(v)) return pyDictRepr(v);
  return String(v);
}

function pyNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

const pyRepr = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const pyDictRepr = (o: Record<string, unknown>): string =>
  `{${Object.entries(o).map(([k, v]) => `${pyRepr(k)}: ${typeof v === 'string' ? pyRepr(v) : pyStr(v)}`).join(', ')}}`;

/** Python's json.dumps with its defaults: `, ` and `: ` separators, non-ASCII escaped. */
function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyNumber(v);
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`).join(', ')}}`;
}

/** A deployment no provider here serves: every call to it answers noProvider's 400. */
function unserved(model: string): Provider {
  const refuse = () => Promise.reject(noProvider(model));
  return { name: model.split('/')[0], apiBase: () => '', chat: refuse, embeddings: refuse };
}
