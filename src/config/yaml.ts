// YAML text to a checked config, for the build step (compile.ts), `npm run check-config`, tests and the Router
// used as a library. The Worker itself never parses YAML: its bundled router.config.yaml arrives as data
// (src/generated/config.ts) and ROUTER_CONFIG as JSON, which keeps the parser (a third of the bundle) out of it.
import { parse } from 'yaml';
import type { Loaded } from './load';
import { loadProxyObject } from './load';
import type { ProxyConfig } from './types';

/** Throws on text that is not YAML, with the parser's own words. */
export const parseConfigYaml = (text: string): unknown => parse(text);

export function loadProxyConfig(yamlText: string, env: Record<string, unknown> = {}): Loaded<ProxyConfig> {
  let raw: unknown;
  try {
    raw = parse(yamlText);
  } catch (e) {
    return { ok: false, errors: [`(yaml): ${(e as Error).message.split('\n')[0]}`], warnings: [] };
  }
  return loadProxyObject(raw, env);
}
