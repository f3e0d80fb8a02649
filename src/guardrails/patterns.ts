// The content filter's prebuilt patterns, by LiteLLM's names (litellm_content_filter/patterns.json), as data
// (public/guardrails.json), with a checksum where the format has one (card numbers: Luhn; IBANs: mod 97)
// so a run of digits is not taken for a card. The provider key and token shapes are the ones
// src/security/scrub.ts cuts from everything the gateway says.
import { KEY_SHAPES } from '../security/scrub';
import { data } from './table';

export interface Prebuilt {
  re: RegExp;
  /** A match counts only when this holds (a checksum). */
  valid?: (match: string) => boolean;
  /** The longest text a match spans (a stream window keeps this much). */
  max: number;
}

/** Luhn's check over the digits of a match (separators ignored), 13 to 19 digits. */
export function luhn(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616's mod-97 check: the country and check digits moved to the end, letters as 10..35, the number mod 97 is 1. */
export function ibanValid(text: string): boolean {
  const s = text.replace(/\s/g, '').toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const c of moved) {
    const v = c >= 'A' ? c.charCodeAt(0) - 55 : c.charCodeAt(0) - 48;
    rest = v > 9 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97;
  }
  return rest === 1;
}

const CHECKS = { luhn, iban: ibanValid };

export function prebuilt(name: string): Prebuilt | undefined {
  const key = data?.aliases[name] ?? name;
  const row = data?.patterns[key];
  return row && { re: row[0] === null ? KEY_SHAPES[key as keyof typeof KEY_SHAPES] : new RegExp(row[0], 'g'), max: row[1], valid: row[2] && CHECKS[row[2]] };
}

/** The secrets hide-secrets masks. */
export const secrets = () => data?.secrets ?? [];

/** The prompt-injection heuristic's pattern (case-insensitive) and longest match. */
export const injection = () => data && { re: new RegExp(data.prompt_injection[0], 'gi'), max: data.prompt_injection[1] };

export const prebuiltNames = () => (data ? [...Object.keys(data.patterns), ...Object.keys(data.aliases)] : []);

/**
 * Whether a regex could backtrack catastrophically: a repeated group that holds an unbounded repetition ((a+)+,
 * (\w*)*, (x+y?){2,}), the shape behind exponential backtracking. JavaScript's engine backtracks and a Worker has
 * no per-regex time limit, so such a pattern is refused at config load rather than run. Escapes and classes are
 * atoms; groups are folded innermost first into an atom that repeats (x+) or not (x).
 */
export function backtracks(source: string): boolean {
  let s = source.replace(/\\.|\[(?:\\.|[^\]\\])*\]/g, 'x');
  let risky = false;
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\(([^()]*)\)([*+?]|\{[\d,]*\})?/g, (_, body: string, q = '') => {
      const inner = /[*+]|,\}/.test(body);
      if (inner && /[*+,]|\{\d*[2-9]/.test(q)) risky = true;
      return inner || /[*+]|,\}/.test(q) ? 'x+' : 'x';
    });
  }
  return risky;
}
