// The guardrails that run in the Worker with no service to call: LiteLLM's content filter, secret detection
// (hide-secrets) and a prompt-injection heuristic (detect_prompt_injection). Each is a TextRule, so it runs on
// whole texts and on a stream's window alike.
import type { Check } from '../config/validate';
import { bool, list, obj, oneOf, refine, str } from '../config/validate';
import type { PatternRule } from './content-filter';
import { contentFilter, customWindow } from './content-filter';
import { backtracks, prebuilt, PREBUILT_NAMES, SECRETS } from './patterns';
import type { TextRule } from './types';

const action = oneOf('BLOCK', 'MASK');

/** A custom regex as LiteLLM writes it (Python syntax, case-insensitive): compiled here, refused if it does not compile or could backtrack catastrophically. */
const safeRegex: Check<RegExp> = (v, path, out) => {
  const source = str(v, path, out);
  if (source === undefined) return undefined;
  const js = source.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/^\(\?i\)/, '');
  if (backtracks(js)) return void out.errors.push(`${path}: refused: a repeated group holds a repetition, which can backtrack catastrophically`);
  try {
    return new RegExp(js, 'gi');
  } catch (e) {
    out.errors.push(`${path}: not a valid regular expression (${(e as Error).message})`);
    return undefined;
  }
};

const patternEntry = obj(
  {
    pattern_type: oneOf('prebuilt', 'regex'),
    pattern_name: refine(str, (n) => prebuilt(n) !== undefined, `not a prebuilt pattern (prebuilt: ${PREBUILT_NAMES.join(', ')})`),
    pattern: safeRegex,
    name: str,
    action,
  },
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

type PatternEntry = NonNullable<ReturnType<typeof patternEntry>>;
type WordEntry = NonNullable<ReturnType<typeof wordEntry>>;

export interface ContentFilterParams {
  patterns?: PatternEntry[];
  blocked_words?: WordEntry[];
  pattern_redaction_format?: string;
  keyword_redaction_tag?: string;
  output_parse_pii?: boolean;
}

/** Checks the pairs a shape cannot (a prebuilt entry names a pattern, a regex entry has one) and builds the rule. */
export function buildContentFilter(p: ContentFilterParams, path: string, errors: string[]): TextRule | undefined {
  const patterns: PatternRule[] = [];
  (p.patterns ?? []).forEach((e, i) => {
    const at = `${path}.patterns[${i}]`;
    if (e.pattern_type === 'prebuilt') {
      const known = e.pattern_name === undefined ? undefined : prebuilt(e.pattern_name);
      if (!known) return void errors.push(`${at}.pattern_name: required for a prebuilt pattern`);
      patterns.push({ name: e.pattern_name!, ...known, action: e.action });
    } else {
      if (!e.pattern) return void errors.push(`${at}.pattern: required for a regex pattern`);
      patterns.push({ name: e.name ?? 'custom_regex', re: e.pattern, action: e.action, max: customWindow });
    }
  });
  if (patterns.length === 0 && !p.blocked_words?.length) return void errors.push(`${path}: patterns or blocked_words required`);
  return contentFilter({
    patterns,
    words: p.blocked_words ?? [],
    patternFormat: p.pattern_redaction_format ?? '[{pattern_name}_REDACTED]',
    keywordTag: p.keyword_redaction_tag ?? '[KEYWORD_REDACTED]',
    restore: p.output_parse_pii === true,
  });
}

/** Secret detection (LiteLLM's hide-secrets): provider keys and tokens, private keys and JWTs, masked as [REDACTED]. */
export function secretDetector(): TextRule {
  return contentFilter({
    patterns: SECRETS.map((name) => ({ name, ...prebuilt(name)!, action: 'MASK' })),
    words: [],
    patternFormat: '[REDACTED]',
    keywordTag: '',
    restore: false,
  });
}

const INJECTION = [
  /\b(?:ignore|disregard|forget|skip|bypass|override|neglect|omit)\s+(?:(?:all|any|every|the|your|my|previous|prior|above|earlier|preceding|initial|original|system|former|these|those|of)\s+){0,4}(?:instructions?|directives?|rules|prompts?|guidelines|commands?|context|constraints|programming)\b/i,
  /\b(?:reveal|print|show|repeat|output|leak)\s+(?:(?:me|us|your|the|full|entire|hidden|initial|original)\s+){0,3}(?:system\s+prompt|instructions|hidden\s+prompt)\b/i,
  /\byou\s+are\s+now\s+(?:in\s+)?(?:DAN|developer\s+mode|jailbroken|unrestricted|an?\s+unfiltered)\b/i,
  /\b(?:pretend|act\s+as\s+if)\s+(?:you\s+)?(?:have|had)\s+no\s+(?:restrictions|rules|guidelines|filters)\b/i,
  /\bdo\s+anything\s+now\b/i,
];

/** A heuristic for prompt injection (LiteLLM's detect_prompt_injection): instructions to drop the system's instructions. */
export function injectionDetector(): TextRule {
  return {
    window: 200,
    find(text) {
      for (const re of INJECTION) {
        const m = re.exec(text);
        if (m) return [{ start: m.index, end: m.index + m[0].length, name: 'prompt_injection', block: 'Rejected message. This is a prompt injection attack.' }];
      }
      return [];
    },
  };
}
