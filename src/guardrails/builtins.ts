// The guardrails that run in the Worker with no service to call: LiteLLM's content filter, secret detection
// (hide-secrets) and a prompt-injection heuristic (detect_prompt_injection). Each is one list of pattern rules
// (prebuilt, custom, blocked words), each match refused or masked, so it runs on whole texts and on a stream's
// window alike. Unlike LiteLLM, which acts on the first pattern that matches, every match is acted on.
import type { Check } from '../config/validate';
import { bool, list, obj, oneOf, refine, str } from '../config/validate';
import { escapeRe as escape } from '../security/scrub';
import { backtracks, injection, prebuilt, prebuiltNames, secrets } from './patterns';
import { noData } from './table';
import type { Hit, TextRule } from './types';
import { tag } from './types';

/** A pattern and what its match does: refused (`block`, why) or masked (`tag`); `max`: the longest text it spans. */
interface PatternRule {
  name: string;
  re: RegExp;
  max: number;
  valid?: (match: string) => boolean;
  block?: string;
  tag?: string;
}

/** The rules as one TextRule; `restore` (output_parse_pii): each masked value its own numbered tag, kept in the request's tokens. */
function textRule(rules: PatternRule[], restore?: boolean): TextRule {
  return {
    window: Math.max(0, ...rules.map((r) => r.max)),
    find(text, tokens) {
      const hits: Hit[] = [];
      for (const r of rules) {
        for (const m of text.matchAll(r.re)) {
          if (!m[0] || (r.valid && !r.valid(m[0]))) continue;
          hits.push({ start: m.index, end: m.index + m[0].length, name: r.name, block: r.block, replacement: r.block === undefined ? tag(r.tag!, m[0], restore ? tokens : undefined) : undefined });
        }
      }
      return hits;
    },
  };
}

/** The longest custom regex match a stream window is sized for (a longer match is seen whole only if it fits). */
const CUSTOM_WINDOW = 128;

const action = oneOf('BLOCK', 'MASK');

/** A custom regex as LiteLLM writes it (Python syntax, case-insensitive): refused if it does not compile or could backtrack catastrophically. */
const safeRegex: Check<RegExp> = (v, path, out) => {
  const js = str(v, path, out)?.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/^\(\?i\)/, '');
  if (js === undefined) return undefined;
  if (backtracks(js)) return void out.errors.push(`${path}: refused: a repeated group holds a repetition, which can backtrack catastrophically`);
  try {
    return new RegExp(js, 'gi');
  } catch (e) {
    out.errors.push(`${path}: not a valid regular expression (${(e as Error).message})`);
  }
};

const patternEntry = obj(
  { pattern_type: oneOf('prebuilt', 'regex'), pattern_name: (v, path, out) => {
      const n = str(v, path, out);
      const why = n === undefined ? undefined : noData() ?? (prebuilt(n) ? undefined : `not a prebuilt pattern (${prebuiltNames().join(', ')})`);
      return why ? void out.errors.push(`${path}: ${why}`) : n;
    }, pattern: safeRegex, name: str, action },
  { required: ['pattern_type', 'action'] },
);
const wordEntry = obj({ keyword: refine(str, (k) => k.trim() !== '', 'must not be empty'), action, description: str }, { required: ['keyword', 'action'] });
const refuse = (why: string): Check<never> => (_v, path, out) => void out.errors.push(`${path}: refused: ${why}`);

export const contentFilterParams = {
  patterns: list(patternEntry),
  blocked_words: list(wordEntry),
  blocked_words_file: refuse('no files in a Worker; use blocked_words'),
  categories: refuse('not built in; use blocked_words or a moderation service'),
  pattern_redaction_format: refine(str, (f) => f.includes('{pattern_name}'), 'must contain {pattern_name}'),
  keyword_redaction_tag: str,
  output_parse_pii: bool,
};

export interface ContentFilterParams {
  patterns?: Array<NonNullable<ReturnType<typeof patternEntry>>>;
  blocked_words?: Array<NonNullable<ReturnType<typeof wordEntry>>>;
  pattern_redaction_format?: string;
  keyword_redaction_tag?: string;
  output_parse_pii?: boolean;
}

/** Checks the pairs a shape cannot (a prebuilt entry names a pattern, a regex entry has one) and builds the rule. */
export function buildContentFilter(p: ContentFilterParams, path: string, errors: string[]): TextRule | undefined {
  const rules: PatternRule[] = [];
  (p.patterns ?? []).forEach((e, i) => {
    const built = e.pattern_type === 'prebuilt';
    const name = built ? e.pattern_name! : (e.name ?? 'custom_regex');
    const found = built ? e.pattern_name && prebuilt(e.pattern_name) : e.pattern && { re: e.pattern, max: CUSTOM_WINDOW };
    if (!found) return void errors.push(`${path}.patterns[${i}].${built ? 'pattern_name' : 'pattern'}: required for a ${e.pattern_type} pattern`);
    const format = p.pattern_redaction_format ?? '[{pattern_name}_REDACTED]';
    rules.push({ name, ...found, ...(e.action === 'BLOCK' ? { block: `Content blocked: ${name} pattern detected` } : { tag: format.replace('{pattern_name}', name.toUpperCase()) }) });
  });
  for (const { keyword: k, action, description: d } of p.blocked_words ?? []) {
    const block = `Content blocked: keyword '${k}' detected${d ? ` (${d})` : ''}`;
    rules.push({ name: `keyword:${k}`, re: new RegExp(escape(k), 'gi'), max: k.length, ...(action === 'BLOCK' ? { block } : { tag: p.keyword_redaction_tag ?? '[KEYWORD_REDACTED]' }) });
  }
  if (!rules.length) return void errors.push(`${path}: patterns or blocked_words required`);
  return textRule(rules, p.output_parse_pii);
}

/** A rule built from the prebuilt table; refused (the config with it) when the table is not loaded. */
const fromTable = (build: () => TextRule) => (_p: unknown, path: string, errors: string[]) => {
  const why = noData();
  return why ? void errors.push(`${path}.guardrail: ${why}`) : build();
};

/** Secret detection (LiteLLM's hide-secrets): provider keys and tokens, private keys and JWTs, masked as [REDACTED]. */
export const secretDetector = fromTable(() => textRule(secrets().map((name) => ({ name, ...prebuilt(name)!, tag: '[REDACTED]' }))));

/** A heuristic for prompt injection (LiteLLM's detect_prompt_injection): instructions to drop the system's instructions. */
export const injectionDetector = fromTable(() => textRule([{ name: 'prompt_injection', ...injection()!, block: 'Rejected message. This is a prompt injection attack.' }]));

/** Masked values (output_parse_pii) put back where the model repeats their placeholders: a rule, so a stream's window runs it too. */
export const restoring = (tokens: Map<string, string>) => textRule([...tokens].map(([t, v]) => ({ name: 'output_parse_pii', re: new RegExp(escape(t), 'g'), max: t.length, tag: v })));
