// The bundled router.config.yaml as the Worker receives it: parsed and validated at build time
// (scripts/config.mjs writes src/generated/config.ts), so no isolate parses YAML or re-checks a fixed file.
import type { Loaded } from './load';
import { loadProxyObject } from './load';
import type { ProxyConfig } from './types';

export type BundledConfig =
  /** A file that reads nothing from the env: validated once, at build time, for good. */
  | { source: string; config: ProxyConfig; warnings: string[] }
  /** A file with os.environ/ references: checked at build time, validated again per isolate with the Worker's env. */
  | { source: string; raw: unknown };

export function loadBundled(bundled: BundledConfig, env: Record<string, unknown>): Loaded<ProxyConfig> {
  if ('raw' in bundled) return loadProxyObject(bundled.raw, env);
  // A copy: several gateways may share an isolate (tests, embedding), and none may see another's changes.
  return { ok: true, value: structuredClone(bundled.config), warnings: [...bundled.warnings] };
}
