// What a guardrail is to the rest of the gateway: a named check of the texts that flow (the request's on the way
// in, the answer's on the way out) that passes them, rewrites them (masks) or blocks the request.

/** LiteLLM's event hooks: before the call, in parallel with it (the answer held until it passes), on the answer, or on what is logged. */
export type Mode = 'pre_call' | 'during_call' | 'post_call' | 'logging_only';
export const MODES: readonly Mode[] = ['pre_call', 'during_call', 'post_call', 'logging_only'];

/** Which texts a check reads: the request's (input) or the answer's (output). */
export type Side = 'input' | 'output';

export type Verdict =
  /** `texts`: the texts rewritten (masked), in order; absent when nothing changed. `found`: what was found (names, never values). */
  | { kind: 'pass'; texts?: string[]; found?: string[] }
  | { kind: 'block'; message: string; found?: string[] };

/** What the request log and the callbacks are told about one guardrail's run: never a masked value. */
export interface GuardrailDecision {
  name: string;
  mode: Mode;
  /** passed: nothing found; masked: texts rewritten; blocked: the request refused; failed_open: the service failed and fail_open let it pass. */
  decision: 'passed' | 'masked' | 'blocked' | 'failed_open' | 'failed_closed';
  /** Names of what matched (pattern names, entity types, categories). */
  found?: string[];
  latencyMs: number;
}

/**
 * A check that runs on whole text synchronously (the built-ins): it can run on a stream as it flows, on a window
 * of text. `scan` returns the text, masked where a MASK rule matched, or the reason to block.
 */
export interface TextRule {
  scan(text: string, tokens?: PiiTokens): { text: string; found: string[]; block?: string };
  /** The longest text a match can span, so that a stream window that keeps this many characters never cuts one. */
  readonly window: number;
}

/** Masked values by their placeholder, kept for one request so the answer can carry them back (output_parse_pii). */
export type PiiTokens = Map<string, string>;

export interface Guardrail {
  readonly name: string;
  /** `litellm_params.guardrail`: litellm_content_filter, presidio, lakera_v2, ... */
  readonly type: string;
  readonly modes: readonly Mode[];
  readonly defaultOn: boolean;
  /** Restores masked values in the answer (Presidio's output_parse_pii). */
  readonly restoresPii?: boolean;
  /** Present for the built-ins: runs in the Worker, on streams too. */
  readonly rule?: TextRule;
  /** Checks texts of one side (a service call for the HTTP guardrails). A thrown error is the service failing. */
  check(texts: string[], side: Side, tokens: PiiTokens | undefined, signal: AbortSignal): Promise<Verdict>;
  /** A failing service lets the request pass (true) or refuses it (false, the default). */
  readonly failOpen: boolean;
  /** Milliseconds a service has to answer. */
  readonly timeoutMs: number;
}
