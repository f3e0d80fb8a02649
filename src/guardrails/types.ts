// What a guardrail is to the rest of the gateway: a named check of the texts that flow (the request's on the way
// in, the answer's on the way out) that passes them, rewrites them (masks) or blocks the request.

/** LiteLLM's event hooks: before the call, in parallel with it (the answer held until it passes), on the answer, or on what is logged. */
export type Mode = 'pre_call' | 'during_call' | 'post_call' | 'logging_only';
export const MODES: readonly Mode[] = ['pre_call', 'during_call', 'post_call', 'logging_only'];

/** Which texts a check reads: the request's (input) or the answer's (output). */
export type Side = 'input' | 'output';

/** `block`: refused, and why; else `texts`: the texts rewritten (masked), in order, absent when nothing changed. `found`: what was found (names, never values). */
export interface Verdict {
  block?: string;
  texts?: string[];
  found?: string[];
}

/** What the request log and the callbacks are told about one guardrail's run: never a masked value. */
export interface GuardrailDecision {
  name: string;
  mode: Mode;
  /** passed: nothing found; masked: texts rewritten; blocked: the request refused; failed_open/failed_closed: the service failed, and fail_open let it pass or not. */
  decision: 'passed' | 'masked' | 'blocked' | 'failed_open' | 'failed_closed';
  /** Names of what matched (pattern names, entity types, categories). */
  found?: string[];
  latencyMs: number;
}

/** One match in a text: its span, the rule's name, and what it does (a replacement masks, a block refuses). */
export interface Hit {
  start: number;
  end: number;
  name: string;
  replacement?: string;
  block?: string;
}

/**
 * A check that runs on text synchronously (the built-ins): on whole texts, and on a stream as it flows, on a
 * window of text. `find` returns its matches with their spans, so a window is never cut through one.
 */
export interface TextRule {
  find(text: string, tokens?: PiiTokens): Hit[];
  /** The longest text a match can span, so that a stream window that keeps this many characters never cuts one. */
  readonly window: number;
}

/** Masked values by their placeholder, kept for one request so the answer can carry them back (output_parse_pii). */
export type PiiTokens = Map<string, string>;

/** Replaces the hits' spans between `from` and `to` (sorted; of overlapping ones, the first, then the longest) by their replacements. */
export function applyHits(text: string, hits: Hit[], from = 0, to = text.length): string {
  const sorted = hits.filter((h) => h.replacement !== undefined && h.start >= from && h.end <= to).sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = from;
  for (const h of sorted) {
    if (h.start < at) continue;
    out += text.slice(at, h.start) + h.replacement;
    at = h.end;
  }
  return out + text.slice(at, to);
}

/** A guardrail as loaded: its type's keys checked, a built-in's rule compiled. */
export interface GuardrailSpec {
  name: string;
  /** `litellm_params.guardrail`, its canonical name: litellm_content_filter, presidio, lakera_v2, ... */
  type: string;
  modes: Mode[];
  /** Milliseconds a service has to answer. */
  timeoutMs: number;
  /**
   * Its litellm_params, checked (a service's are sent to the companion with each call): default_on, fail_open (a
   * failing service lets the request pass, else refuses it), output_parse_pii (masked values restored in the answer).
   */
  litellm_params: { default_on?: boolean; fail_open?: boolean; output_parse_pii?: boolean } & Record<string, unknown>;
  /** Present for the built-ins: runs in the Worker, on streams too. */
  rule?: TextRule;
}

export interface Guardrail extends GuardrailSpec {
  /** Checks texts of one side (a service call for the others). A thrown error is the service failing. */
  check(texts: string[], side: Side, tokens: PiiTokens | undefined, signal?: AbortSignal): Promise<Verdict>;
}

/** The tag for a masked value; with tokens (output_parse_pii), numbered and remembered so the answer can carry the value back. */
export function tag(base: string, value: string, tokens: PiiTokens | undefined): string {
  if (!tokens) return base;
  for (const [t, v] of tokens) if (v === value) return t;
  const t = /[\]>]$/.test(base) ? `${base.slice(0, -1)}_${tokens.size + 1}${base.slice(-1)}` : `${base}_${tokens.size + 1}`;
  tokens.set(t, value);
  return t;
}
