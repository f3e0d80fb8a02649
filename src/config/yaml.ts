// YAML text to a checked config, for the build step (compile.ts), `npm run check-config`, tests and the Router
// used as a library. The Worker itself never parses YAML: its bundled router.config.yaml arrives as data
// (src/generated/config.ts) and ROUTER_CONFIG as JSON, which keeps the parser (a third of the bundle) out of it.
import type { CollectionTag, ScalarTag } from 'yaml';
import { parse } from 'yaml';
import type { Loaded } from './load';
import { loadProxyObject } from './load';
import type { ProxyConfig } from './types';

/** PyYAML's booleans: YAML 1.1's, without the single letters `y` and `n`, which PyYAML reads as strings. */
const PYYAML_BOOL: Record<string, RegExp> = { true: /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/, false: /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/ };

type Tag = ScalarTag | CollectionTag;

function asPyYaml(tag: Tag): Tag | undefined {
  // A date stays a string (`api_version: 2024-06-01`): PyYAML's date object is that string wherever LiteLLM uses it.
  if (tag.tag === 'tag:yaml.org,2002:timestamp') return undefined;
  if (tag.tag === 'tag:yaml.org,2002:bool' && 'test' in tag && tag.test) return { ...tag, test: PYYAML_BOOL[String(tag.test.test('true'))] };
  return tag;
}

/**
 * YAML as LiteLLM reads it: PyYAML's safe_load is YAML 1.1, where `tpm: 20_000` is the integer 20000 (1.2 reads a
 * string) and `yes`/`on` are booleans. Throws on text that is not YAML, with the parser's own words.
 */
export const parseConfigYaml = (text: string): unknown =>
  parse(text, { version: '1.1', customTags: (tags) => tags.map((t) => (typeof t === 'object' && 'tag' in t ? asPyYaml(t) : t)).filter((t) => t !== undefined) as typeof tags });

export function loadProxyConfig(yamlText: string, env: Record<string, unknown> = {}): Loaded<ProxyConfig> {
  let raw: unknown;
  try {
    raw = parseConfigYaml(yamlText);
  } catch (e) {
    return { ok: false, errors: [`(yaml): ${(e as Error).message.split('\n')[0]}`], warnings: [] };
  }
  return loadProxyObject(raw, env);
}
