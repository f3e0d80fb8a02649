// LiteLLM's content filter (guardrail: litellm_content_filter): prebuilt patterns, custom regexes and blocked
// words, each BLOCK (the request is refused) or MASK (the match replaced by a tag). Runs in the Worker, on whole
// texts and on a stream's window alike. Unlike LiteLLM, which acts on the first pattern that matches, every
// rule is applied and every match masked, so a second card number in the same message is masked too.
import type { Hit, PiiTokens, TextRule } from './types';

export type Action = 'BLOCK' | 'MASK';

export interface PatternRule {
  name: string;
  re: RegExp;
  valid?: (match: string) => boolean;
  action: Action;
  max: number;
}

export interface WordRule {
  keyword: string;
  action: Action;
  description?: string;
}

export interface ContentFilterOptions {
  patterns: PatternRule[];
  words: WordRule[];
  /** `[{pattern_name}_REDACTED]` by default, the name upper-cased. */
  patternFormat: string;
  keywordTag: string;
  /** output_parse_pii: each masked value gets its own numbered tag, restored in the answer. */
  restore: boolean;
}

/** The longest custom regex match a stream window is sized for (a pattern may match longer; it is then seen whole only if it fits). */
const CUSTOM_WINDOW = 128;
export const customWindow = CUSTOM_WINDOW;

export function contentFilter(o: ContentFilterOptions): TextRule {
  const words = o.words.map((w) => ({ ...w, re: new RegExp(escape(w.keyword), 'gi') }));
  const window = Math.max(0, ...o.patterns.map((p) => p.max), ...o.words.map((w) => w.keyword.length));
  return {
    window,
    find(text: string, tokens?: PiiTokens) {
      const hits: Hit[] = [];
      const keep = o.restore ? tokens : undefined;
      for (const p of o.patterns) {
        for (const m of text.matchAll(p.re)) {
          if (m[0] === '' || (p.valid && !p.valid(m[0]))) continue;
          const hit: Hit = { start: m.index, end: m.index + m[0].length, name: p.name };
          if (p.action === 'BLOCK') hit.block = `Content blocked: ${p.name} pattern detected`;
          else hit.replacement = tag(o.patternFormat.replace('{pattern_name}', p.name.toUpperCase()), m[0], keep);
          hits.push(hit);
        }
      }
      for (const w of words) {
        for (const m of text.matchAll(w.re)) {
          const hit: Hit = { start: m.index, end: m.index + m[0].length, name: `keyword:${w.keyword}` };
          if (w.action === 'BLOCK') hit.block = `Content blocked: keyword '${w.keyword}' detected${w.description ? ` (${w.description})` : ''}`;
          else hit.replacement = tag(o.keywordTag, m[0], keep);
          hits.push(hit);
        }
      }
      return hits;
    },
  };
}

/** The tag for a masked value; with tokens (output_parse_pii), numbered and remembered so the answer can carry the value back. */
export function tag(base: string, value: string, tokens: PiiTokens | undefined): string {
  if (!tokens) return base;
  for (const [t, v] of tokens) if (v === value) return t;
  const t = base.endsWith(']') || base.endsWith('>') ? `${base.slice(0, -1)}_${tokens.size + 1}${base.slice(-1)}` : `${base}_${tokens.size + 1}`;
  tokens.set(t, value);
  return t;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
