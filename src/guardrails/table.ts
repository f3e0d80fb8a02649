// The guardrails' data: public/guardrails.json, a static asset outside the Worker's bundle, read once per isolate
// (src/assets/tables.ts) before any config is loaded: the content filter's prebuilt patterns and each service's
// keys. A config that needs it while it is not loaded is refused, never run unchecked.
import type { AssetTable } from '../assets/tables';

/** A service guardrail's keys: each by the name of its check (kinds.ts), those it cannot go without, those read from the env. */
export interface ServiceRow {
  params: Record<string, string>;
  required?: string[];
  env?: Record<string, string[]>;
}

export interface GuardrailData {
  /** Name -> [regex source (null: scrub.ts's KEY_SHAPES row of that name), the longest match, its checksum]. */
  patterns: Record<string, [string | null, number, ('luhn' | 'iban')?]>;
  aliases: Record<string, string>;
  /** The rows hide-secrets masks. */
  secrets: string[];
  prompt_injection: [string, number];
  services: Record<string, ServiceRow>;
  /** LiteLLM's other spellings of the types. */
  types: Record<string, string>;
}

const FILE = 'guardrails.json';
export let data: GuardrailData | undefined;
let missing = false;

export const GUARDRAIL_DATA: AssetTable = {
  file: FILE,
  what: "the guardrails' data",
  loaded: () => !!data || missing,
  set: (d) => void (d ? (data ??= d as GuardrailData) : (missing = true)),
};

/** Why a guardrail that needs the data cannot be built, or undefined when it is loaded. */
export const noData = () => (data ? undefined : `refused: public/${FILE} is not loaded (${missing ? 'no ASSETS binding' : 'not read yet'})`);
