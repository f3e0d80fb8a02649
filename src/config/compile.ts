// The build step's pure half (scripts/config.mjs is its shell, under Node): a config file checked by the
// runtime's own loader (loadProxyConfig) and turned into the module the Worker imports instead of the YAML.
// os.environ/NAME stays symbolic: the build cannot see the Worker's secrets, so a value read from the env
// is checked per isolate, where it is resolved; every other fault fails the build with its key path.
import guardrails from '../../public/guardrails.json';
import hosts from '../../public/providers.json';
import { GUARDRAIL_DATA } from '../guardrails/table';
import { HOSTS } from '../providers/registry';
import type { BundledConfig } from './bundled';
import { companionSettings } from './companion';
import { loadProxyConfig, parseConfigYaml } from './yaml';

export interface Compiled {
  ok: boolean;
  errors: string[];
  warnings: string[];
  /** Where the file reads the Worker's env: `model_list[0].litellm_params.api_key: os.environ/OPENAI_API_KEY`. */
  fromEnv: string[];
  /** What the Worker is given (when ok). */
  bundled?: BundledConfig;
  deployments: number;
}

const PREFIX = 'os.environ/';

// The static tables a config names (src/assets/tables.ts), which the Worker reads at runtime: the build reads the files.
GUARDRAIL_DATA.set(guardrails);
HOSTS.set(hosts);

export function compileConfig(text: string, source = 'router.config.yaml'): Compiled {
  let raw: unknown;
  try {
    raw = parseConfigYaml(text);
  } catch {
    // The loader words the YAML fault; it fails the same way.
    const r = loadProxyConfig(text);
    return { ok: false, errors: r.ok ? ['(yaml): unreadable'] : r.errors, warnings: r.warnings, fromEnv: [], deployments: 0 };
  }
  const refs = envReferences(raw);
  // Each name stands for itself, so every reference resolves and the loader checks the rest of the file.
  const symbolic = Object.fromEntries(refs.map((r) => [r.name, `${PREFIX}${r.name}`]));
  const loaded = loadProxyConfig(text, symbolic);
  const atRef = (e: string) => refs.some((r) => e.startsWith(`${r.path}: `));
  const errors = loaded.ok ? [] : loaded.errors.filter((e) => !atRef(e));
  const fromEnv = refs.map((r) => `${r.path}: ${PREFIX}${r.name}`);
  if (!loaded.ok) {
    // Only faults in values read from the env: those are the runtime's to judge, with the real values.
    if (errors.length === 0) return { ok: true, errors, warnings: loaded.warnings, fromEnv, bundled: { source, raw }, deployments: countDeployments(raw) };
    return { ok: false, errors, warnings: loaded.warnings, fromEnv, deployments: 0 };
  }
  const bundled: BundledConfig = refs.length ? { source, raw } : { source, config: loaded.value, warnings: loaded.warnings };
  // Not the Worker's warnings: deployed with the companion, these load; it is the gateway alone that refuses them.
  const companion = companionSettings(loaded.value).map(({ setting }) => `${setting} needs the companion Worker: npm run deploy (and npm run dev) run it; the gateway without its bindings to it (a bare wrangler deploy or wrangler dev) refuses this config`);
  return { ok: true, errors, warnings: [...loaded.warnings, ...companion], fromEnv, bundled, deployments: loaded.value.model_list.length };
}

/** The file as data (YAML's JSON subset, os.environ/ kept): what `check-config --json` prints. */
export function parseConfigText(text: string): unknown {
  return parseConfigYaml(text);
}

/** The TypeScript module the Worker imports (src/generated/config.ts). */
export function generatedModule(bundled: BundledConfig): string {
  return `// Generated from ${bundled.source} by scripts/config.mjs (wrangler's [build] step, vitest's config): do not edit.
import type { BundledConfig } from '../config/bundled';

const bundled: BundledConfig = ${JSON.stringify(bundled, null, 2)};
export default bundled;
`;
}

/** Every os.environ/ string in the file, with the key path resolveEnv (config/env.ts) names it by. */
function envReferences(value: unknown, path = '', found: { path: string; name: string }[] = []) {
  if (typeof value === 'string' && value.startsWith(PREFIX)) found.push({ path, name: value.slice(PREFIX.length) });
  else if (Array.isArray(value)) value.forEach((v, i) => envReferences(v, `${path}[${i}]`, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) envReferences(v, path ? `${path}.${k}` : k, found);
  }
  return found;
}

function countDeployments(raw: unknown): number {
  const list = (raw as { model_list?: unknown })?.model_list;
  return Array.isArray(list) ? list.length : 0;
}
