// What the gateway and the companion Worker say to each other about a guardrail service: one service binding call
// with the guardrail's type, its settings and the texts; a verdict back (src/companion/guardrails/ speaks the
// vendor's wire format). Settings carry the service's key: they cross only the service binding, never a response.
import type { Side, Verdict } from './types';

/** The companion's internal route (the gateway never forwards a client to it). */
export const GUARDRAILS_PATH = '/internal/guardrail';

export interface GuardrailCall {
  /** `litellm_params.guardrail`, its canonical name: presidio, lakera_v2, bedrock, ... */
  type: string;
  params: Record<string, unknown>;
  side: Side;
  texts: string[];
  /** The guardrail's timeout: the companion's own bound on the vendor's answer (the gateway keeps its own). */
  timeoutMs: number;
  /** output_parse_pii: the request's placeholders so far, each value's own; the answer carries them all back. */
  tokens?: Array<[string, string]>;
}

export type GuardrailAnswer = Verdict & { tokens?: Array<[string, string]> };
