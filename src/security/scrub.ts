// The one scrubbing point: everything that leaves the gateway (error responses, stream error events, headers,
// /v1/router/state, /metrics, the dashboard) or reaches a log line, a metric or a trace goes through scrub().
// It cuts out the secret values of the loaded config (remembered when the config is loaded) in any of the
// forms they travel in (as is, URL-encoded, JSON-escaped, base64 at any alignment), then anything shaped like
// a credential: `Bearer ...`, `sk-...`, `AKIA...`, user-info in URLs, key-like query parameters.
// Always scrub before truncating: a cut through a secret leaves most of it unrecognisable.
import { SECRET_PARAMS } from '../config/secrets';

export type Redact = (text: string) => string;

export const MASK = '***';
/** Shorter values are not secrets worth the false positives (LiteLLM's example master key, sk-1234, is 7). */
const MIN_SECRET = 6;

/** The isolate's known secret values. A registry, not a parameter: every exit scrubs, whoever built the config. */
const known = new Set<string>();
let compiled: RegExp | undefined;
let index: SecretIndex | undefined;

/** Adds secret values (non-strings and short strings are ignored). Secrets are only ever added: a config that is replaced still had them. */
export function rememberSecrets(values: Iterable<unknown>): void {
  for (const v of values) {
    if (typeof v !== 'string' || v.length < MIN_SECRET || known.has(v)) continue;
    known.add(v);
    compiled = undefined;
    index = undefined;
  }
}

/** The secret values of one deployment's litellm_params: SECRET_PARAMS, and the password in an api_base's user-info. */
export function paramSecrets(litellmParams: object): unknown[] {
  const params = litellmParams as Record<string, unknown>;
  const out = SECRET_PARAMS.map((k) => params[k]);
  const base = params.api_base;
  const m = typeof base === 'string' ? /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(base) : null;
  if (m) {
    // The whole user-info and the password; a user name alone is not a secret.
    const pass = m[1].split(':')[1];
    out.push(m[1], pass, pass === undefined ? undefined : safeDecode(pass));
  }
  return out;
}

const SECRET_KEY = /(^|_|-)(key|secret|password|token|credentials?|authorization)$/i;

/**
 * Every secret a loaded config holds, wherever it sits: SECRET_PARAMS, any string under a key named like a
 * secret (master_key, redis_password, extra_headers' Authorization ...), and api_base user-info.
 */
export function configSecrets(config: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      if (SECRET_PARAMS.includes(key) || SECRET_KEY.test(key)) out.push(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
    } else if (v !== null && typeof v === 'object') {
      if ('api_base' in v) out.push(...paramSecrets(v));
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  walk(config, '');
  return out;
}

/** Scrubs text. A deployment's own secrets are remembered first, for deployments built outside a loaded config. */
export function scrub(text: string, d?: { params: object }): string {
  if (d) rememberSecrets(paramSecrets(d.params));
  let out = text;
  const exact = secretPattern();
  if (exact) out = out.replace(exact, MASK);
  for (const [re, to] of SHAPES) out = out.replace(re, to);
  return out;
}

/**
 * Cuts every secret value, in each of its forms, out of bytes about to leave (a stream's events), and nothing
 * else: the credential shapes are for error messages, not for an answer's own text. Most events hold no secret,
 * so a pass over the bytes looks for a short piece of each form first (secretIndex); only an event where one
 * is found is decoded and scrubbed. Clean bytes come back as they were, uncopied.
 */
export function scrubBytes(bytes: Uint8Array): Uint8Array {
  const idx = index ?? (known.size === 0 ? undefined : (index = secretIndex()));
  if (!idx || (!idx.always && !idx.find(bytes))) return bytes;
  const text = new TextDecoder().decode(bytes);
  const out = text.replace(secretPattern()!, MASK);
  return out === text ? bytes : new TextEncoder().encode(out);
}

/**
 * scrub() for a URL from the config (an api_base): the shapes always; the expression of every secret's forms only
 * when a secret is in it, as written or URL-encoded. Building that expression costs milliseconds, and every
 * isolate would otherwise pay them at startup for URLs that hold no secret.
 */
export function scrubUrl(url: string): string {
  for (const s of known) if (url.includes(s) || url.includes(encodeURIComponent(s))) return scrub(url);
  let out = url;
  for (const [re, to] of SHAPES) out = out.replace(re, to);
  return out;
}

/** Scrubs every string (and key) of a JSON-like value, returning a copy. */
export function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map(scrubDeep) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrub(k)] = scrubDeep(v);
    return out as T;
  }
  return value;
}

/** One structured log line, scrubbed: the only way the gateway writes to the Worker's log. */
export function logLine(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>): void {
  const line = scrub(JSON.stringify({ level, ...fields }));
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

// Credential shapes, whatever their value. Token characters include %XX (URL-encoded) and \/ (JSON-escaped).
const TOKEN = String.raw`(?:[A-Za-z0-9._~+/=-]|%[0-9A-Fa-f]{2}|\\/)+`;
/** Provider keys and tokens, by the content filter's names (src/guardrails/patterns.ts masks them in answers). */
export const KEY_SHAPES = {
  bearer_token: new RegExp(String.raw`\b(Bearer|Basic)(\s+|%20|\+)${TOKEN}`, 'gi'),
  openai_api_key: /\b(sk|pk|rk)-[A-Za-z0-9_\-*]{6,}/g,
  aws_access_key: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g,
  google_api_key: /\bAIza[0-9A-Za-z_-]{35}/g,
};
const SHAPES: Array<[RegExp, string]> = [
  // user-info in a URL: https://user:pass@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>\\]+@/gi, `$1${MASK}@`],
  // ... and URL-encoded: https%3A%2F%2Fuser%3Apass%40host
  [/\b([a-z][a-z0-9+.-]*%3A%2F%2F)(?:(?!%2F)[^\s/?#@"'<>&])+%40/gi, `$1${MASK}%40`],
  [KEY_SHAPES.bearer_token, `$1$2${MASK}`],
  [KEY_SHAPES.openai_api_key, `$1-${MASK}`],
  [KEY_SHAPES.aws_access_key, `$1${MASK}`],
  [KEY_SHAPES.google_api_key, `AIza${MASK}`],
  [/([?&](?:api[_-]?key|key|token|access_token|sig|signature|password)=)[^&\s"'#<>]+/gi, `$1${MASK}`],
];

function secretPattern(): RegExp | undefined {
  if (compiled || known.size === 0) return compiled;
  const alternatives = new Set<string>();
  for (const s of known) {
    alternatives.add(charwise(s));
    for (const b of base64Forms(s)) alternatives.add(escapeRe(b));
  }
  // Longest first: a secret that contains another is cut whole.
  compiled = new RegExp([...alternatives].sort((a, b) => b.length - a.length).join('|'), 'g');
  return compiled;
}

/** The length of the pieces of each secret's forms that scrubBytes looks for. */
const PIECE = 8;

interface SecretIndex {
  /** Whether bytes hold one of the pieces (then they may hold a secret). */
  find(b: Uint8Array): boolean;
  /** A secret with no piece every form of it shares: every event is scrubbed. */
  always: boolean;
}

/**
 * A piece of every form of every secret: from the secret, a run of characters that no encoding changes (so every
 * form of charwise() holds it as is); from each base64 form, its start. Each piece's byte pairs are marked in a
 * table, so find() needs to look at only every (length - 1)th pair of the bytes: a piece where it occurs covers
 * one of them, whose entry says where to compare.
 */
function secretIndex(): SecretIndex {
  const pieces = new Set<string>();
  let always = false;
  for (const s of known) {
    const run = longestRun(s);
    if (run.length < 4) always = true;
    else pieces.add(run.slice(-PIECE)); // the end: a key's random part, more than its prefix (sk-...)
    for (const b of base64Forms(s)) pieces.add(b.slice(0, PIECE));
  }
  // Per byte pair: marked in a table (the test per position), and the pieces holding it and where.
  const table = new Uint8Array(65536);
  const at = new Map<number, Array<Uint8Array | number>>();
  let step = PIECE - 1;
  for (const p of pieces) {
    const piece = new TextEncoder().encode(p);
    step = Math.min(step, piece.length - 1);
    for (let j = 0; j + 1 < piece.length; j++) {
      const pair = (piece[j] << 8) | piece[j + 1];
      table[pair] = 1;
      at.set(pair, [...(at.get(pair) ?? []), piece, j]);
    }
  }
  const find = (b: Uint8Array) => {
    for (let i = 0; i + 1 < b.length; i += step) {
      if (table[(b[i] << 8) | b[i + 1]] === 0) continue;
      const here = at.get((b[i] << 8) | b[i + 1])!;
      for (let k = 0; k < here.length; k += 2) if (holdsAt(b, i - (here[k + 1] as number), here[k] as Uint8Array)) return true;
    }
    return false;
  };
  return { find, always };
}

function holdsAt(b: Uint8Array, from: number, piece: Uint8Array): boolean {
  if (from < 0 || from + piece.length > b.length) return false;
  for (let k = 0; k < piece.length; k++) if (b[from + k] !== piece[k]) return false;
  return true;
}

const UNRESERVED = /[A-Za-z0-9_.~-]/;

/** The longest run of characters the encodings charwise() knows leave as they are. */
function longestRun(s: string): string {
  let best = '';
  for (const run of s.split(/[^A-Za-z0-9_.~-]+/)) if (run.length > best.length) best = run;
  return best;
}

/** A secret as is, URL-encoded (either hex case), JSON-escaped, or any mix of these, char by char. */
function charwise(s: string): string {
  let out = '';
  for (const c of s) {
    if (UNRESERVED.test(c)) {
      out += escapeRe(c);
      continue;
    }
    const forms = [escapeRe(c), pctPattern(c)];
    if (c === '/' || c === '"' || c === '\\') forms.push(escapeRe(`\\${c}`));
    if (c === ' ') forms.push(String.raw`\+`);
    out += `(?:${forms.join('|')})`;
  }
  return out;
}

function pctPattern(c: string): string {
  return [...new TextEncoder().encode(c)]
    .map((b) => {
      const [hi, lo] = b.toString(16).toUpperCase().padStart(2, '0');
      const cls = (h: string) => (/[A-F]/.test(h) ? `[${h}${h.toLowerCase()}]` : h);
      return `%${cls(hi)}${cls(lo)}`;
    })
    .join('');
}

/**
 * The secret's base64 at each of the three alignments it can take inside a longer encoded string (as in
 * Basic auth's base64("user:secret")): only the characters that depend on the secret's bytes alone, standard
 * and URL-safe alphabets.
 */
function base64Forms(s: string): string[] {
  const bytes = new TextEncoder().encode(s);
  const forms: string[] = [];
  for (const k of [0, 1, 2]) {
    const padded = new Uint8Array(k + bytes.length);
    padded.set(bytes, k);
    let b64 = btoa(String.fromCharCode(...padded)).replace(/=+$/, '');
    const head = Math.ceil((k * 8) / 6);
    const tail = (k + bytes.length) % 3 === 0 ? 0 : 1;
    b64 = b64.slice(head, b64.length - tail);
    if (b64.length < 8) continue;
    forms.push(b64, b64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** `s` as a regular expression that matches it literally. */
export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
