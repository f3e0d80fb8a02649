// The content filter's prebuilt patterns, by LiteLLM's names (litellm_content_filter/patterns.json), with a checksum
// where the format has one (card numbers: Luhn; IBANs: mod 97) so a run of digits is not taken for a card. The
// provider key and token shapes are the ones src/security/scrub.ts cuts from everything the gateway says.
import { KEY_SHAPES } from '../security/scrub';

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

/** Pattern, the longest text a match spans (a stream window keeps that much), and a checksum where the format has one. */
type Row = [RegExp, number, ((match: string) => boolean)?];
const H = '[0-9A-Fa-f]{1,4}';
const IPV6 = `(?<![\\w:])(?:(?:${H}:){7}|(?:${H}:){1,6}:(?:${H}:){0,5})${H}(?![\\w:])`;

const ROWS: Record<string, Row> = {
  us_ssn: [/\b\d{3}-\d{2}-\d{4}\b/g, 11],
  email: [/\b[\w.%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, 128],
  us_phone: [/(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]?\d{4}\b/g, 20],
  /** Any card number: 13 to 19 digits, spaces or dashes between, that pass Luhn's check. */
  credit_card: [/\b\d(?:[ -]?\d){12,18}\b/g, 40, luhn],
  iban: [/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g, 42, ibanValid],
  ipv4: [/\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g, 15],
  ipv6: [new RegExp(IPV6, 'g'), 45],
  // The credential shapes scrub.ts cuts from everything the gateway says.
  bearer_token: [KEY_SHAPES.bearer_token, 600],
  openai_api_key: [KEY_SHAPES.openai_api_key, 200],
  aws_access_key: [KEY_SHAPES.aws_access_key, 20],
  google_api_key: [KEY_SHAPES.google_api_key, 39],
  github_token: [/\bgh[pousr]_[A-Za-z0-9]{36}\b/g, 40],
  slack_token: [/\bxox[pboa]-\d{10,13}-\d{10,13}-[A-Za-z0-9]{24,32}\b/g, 80],
  private_key: [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]{0,8192}?-----END [A-Z ]*PRIVATE KEY-----/g, 8300],
  jwt: [/\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/g, 4096],
};

/** LiteLLM's other names: a card brand is any card (Luhn-checked), Anthropic's keys are `sk-` keys. */
const ALIASES: Record<string, string> = { phone: 'us_phone', ssn: 'us_ssn', ip_address: 'ipv4', eu_iban_enhanced: 'iban', visa: 'credit_card', mastercard: 'credit_card', amex: 'credit_card', discover: 'credit_card', anthropic_api_key: 'openai_api_key' };

/** The secrets hide-secrets masks. */
export const SECRETS = Object.keys(ROWS).slice(7);

export function prebuilt(name: string): Prebuilt | undefined {
  const row = ROWS[ALIASES[name] ?? name];
  return row && { re: row[0], max: row[1], valid: row[2] };
}

export const PREBUILT_NAMES = [...Object.keys(ROWS), ...Object.keys(ALIASES)];

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
