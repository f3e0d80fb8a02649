// The content filter's prebuilt patterns, by LiteLLM's names (litellm_content_filter/patterns.json), with a checksum
// where the format has one (card numbers: Luhn; IBANs: mod 97) so a run of digits is not taken for a card. The
// provider key and token shapes are the ones src/security/scrub.ts cuts from everything the gateway says.

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

const card = (first: string, groups: string): Prebuilt => ({ re: new RegExp(String.raw`\b${first}${groups}\b`, 'g'), valid: luhn, max: 24 });
const SEP = String.raw`[ -]?`;

export const PREBUILT: Record<string, Prebuilt> = {
  us_ssn: { re: /\b\d{3}-\d{2}-\d{4}\b/g, max: 11 },
  email: { re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, max: 128 },
  us_phone: { re: /(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]?\d{4}\b/g, max: 20 },
  visa: card('4\\d{3}', `${SEP}\\d{4}${SEP}\\d{4}${SEP}\\d{4}`),
  mastercard: card('5[1-5]\\d{2}', `${SEP}\\d{4}${SEP}\\d{4}${SEP}\\d{4}`),
  amex: card('3[47]\\d{2}', `${SEP}\\d{6}${SEP}\\d{5}`),
  discover: card('6(?:011|5\\d{2})', `${SEP}\\d{4}${SEP}\\d{4}${SEP}\\d{4}`),
  /** Any card number: 13 to 19 digits, spaces or dashes between, that pass Luhn's check. */
  credit_card: { re: /\b\d(?:[ -]?\d){12,18}\b/g, valid: luhn, max: 40 },
  iban: { re: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g, valid: ibanValid, max: 42 },
  ipv4: { re: /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g, max: 15 },
  ipv6: { re: /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])|(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])/g, max: 45 },
  aws_access_key: { re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, max: 20 },
  aws_secret_key: { re: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, max: 40 },
  github_token: { re: /\bgh[pousr]_[A-Za-z0-9]{36}\b/g, max: 40 },
  slack_token: { re: /\bxox[pboa]-\d{10,13}-\d{10,13}-[A-Za-z0-9]{24,32}\b/g, max: 80 },
  /** OpenAI, Anthropic and other `sk-` keys (and `pk-`, `rk-`), as scrub.ts knows them. */
  openai_api_key: { re: /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, max: 200 },
  anthropic_api_key: { re: /\bsk-ant-[A-Za-z0-9_-]{16,}/g, max: 200 },
  google_api_key: { re: /\bAIza[0-9A-Za-z_-]{35}/g, max: 39 },
  bearer_token: { re: /\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/g, max: 600 },
  generic_api_key: { re: /\b[Aa][Pp][Ii][-_]?[Kk][Ee][Yy][\s:=]+['"]?[A-Za-z0-9_-]{20,}['"]?/g, max: 300 },
  url: { re: /\b(?:https?:\/\/|www\.)[^\s/$.?#][^\s]*/g, max: 2048 },
};

/** LiteLLM's other names for the same patterns. */
const ALIASES: Record<string, string> = { phone: 'us_phone', ssn: 'us_ssn', ip_address: 'ipv4', eu_iban_enhanced: 'iban' };

export function prebuilt(name: string): Prebuilt | undefined {
  return PREBUILT[ALIASES[name] ?? name];
}

export const PREBUILT_NAMES = [...Object.keys(PREBUILT), ...Object.keys(ALIASES)];

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
