// The guardrails of one Router, and what they do to one request: which run (default_on ones, those the request
// names in `guardrails` or `metadata.guardrails`, those its key or team names), in which mode, and their verdicts.
import { RouterError } from '../router/errors';
import { SCOPE_HEADER } from '../http/companion';
import { KINDS, MODERATION_MODEL } from './kinds';
import type { GuardrailAnswer, GuardrailCall } from './protocol';
import { GUARDRAILS_PATH } from './protocol';
import type { Slot } from './texts';
import type { Guardrail, GuardrailDecision, GuardrailSpec, Hit, Mode, PiiTokens, Side, TextRule, Verdict } from './types';
import { scanText } from './types';

/** What the services' calls need from the gateway. */
export interface ServiceDeps {
  /** The companion Worker, which calls the services in their wire formats. */
  companion?: Fetcher;
  /** A moderations call through this gateway's router (openai_moderation): the answer's JSON. */
  moderate(model: string, input: string[], signal: AbortSignal): Promise<any>;
}

type Check = Guardrail['check'];

export function createGuardrail(spec: GuardrailSpec, deps: ServiceDeps): Guardrail {
  const { rule } = spec;
  const check: Check = rule ? async (texts, _side, tokens) => scanAll(rule, texts, tokens) : KINDS[spec.type].local ? moderation(spec, deps) : companionCall(spec, deps);
  return { ...spec, check };
}

/** A service the companion calls: its answer is the verdict, or (not a 2xx) the service failing, in its words. */
function companionCall({ type, litellm_params: params, timeoutMs }: GuardrailSpec, deps: ServiceDeps): Check {
  return async (texts, side, tokens, signal) => {
    if (!deps.companion) throw new Error('guardrail services need the companion Worker');
    const call: GuardrailCall = { type, params, side, texts, timeoutMs, tokens: tokens && [...tokens] };
    const res = await deps.companion.fetch(`https://companion${GUARDRAILS_PATH}`, { method: 'POST', headers: { [SCOPE_HEADER]: '*', 'content-type': 'application/json' }, body: JSON.stringify(call), signal });
    const answer = await res.json<GuardrailAnswer & { error?: { message?: string } }>().catch(() => undefined);
    if (!res.ok || !answer) throw new Error(answer?.error?.message ?? `the companion answered ${res.status}`);
    for (const [t, v] of answer.tokens ?? []) tokens?.set(t, v);
    return answer;
  };
}

/** openai_moderation: the texts to a moderation model group of this gateway; any flagged result blocks. */
function moderation(spec: GuardrailSpec, deps: ServiceDeps): Check {
  const model = String(spec.litellm_params.model ?? MODERATION_MODEL);
  return async (texts, side, _t, signal) => {
    const r = await deps.moderate(model, texts.filter(Boolean), signal);
    if (!Array.isArray(r?.results)) throw new Error('answer without results');
    const flagged = r.results.filter((x: any) => x?.flagged);
    const found = [...new Set<string>(flagged.flatMap((x: any) => Object.keys(x.categories ?? {}).filter((k) => x.categories[k] === true)))];
    return flagged.length ? { block: `Violated OpenAI moderation policy${found.length ? `: ${found.join(', ')}` : ''} in the ${who(side)}`, found } : {};
  };
}

const who = (side: Side) => (side === 'input' ? 'request' : 'answer');

/** A rule over several texts: the first block wins; masks apply text by text. */
export function scanAll(rule: TextRule, texts: string[], tokens?: PiiTokens): Verdict {
  let changed: string[] | undefined;
  const found = new Set<string>();
  for (let i = 0; i < texts.length; i++) {
    const r = scanText([rule], texts[i], tokens);
    for (const f of r.found) found.add(f);
    if (r.block) return { block: r.block, found: [...found] };
    if (r.text !== texts[i]) (changed ??= texts.slice())[i] = r.text;
  }
  return { texts: changed, found: found.size ? [...found] : undefined };
}

/** How the request names guardrails: a list of names, or LiteLLM's `{name: {extra_body}}` mapping. */
export function guardrailNames(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'object' && v !== null) return Object.keys(v);
  return undefined;
}

export class Guardrails {
  private readonly byName: Map<string, Guardrail>;

  constructor(specs: GuardrailSpec[], deps: ServiceDeps) {
    this.byName = new Map(specs.map((s) => [s.name, createGuardrail(s, deps)]));
  }

  /**
   * The guardrails this request runs, or undefined when none: every default_on one, and each one the request or
   * its key and team name. A name no guardrail has is a 400.
   */
  open(requested: string[] | undefined, keyed: string[] | undefined, now: () => number): RequestGuard | undefined {
    if (this.byName.size === 0 && !requested?.length && !keyed?.length) return undefined;
    const chosen = new Set<Guardrail>();
    for (const g of this.byName.values()) if (g.defaultOn) chosen.add(g);
    for (const [names, whose] of [[requested, 'request'], [keyed, 'key or team']] as const) {
      for (const name of names ?? []) {
        const g = this.byName.get(name);
        if (!g) {
          throw new RouterError('BadRequestError', `Guardrail '${name}' named by the ${whose} is not defined in the config (defined: ${[...this.byName.keys()].join(', ')})`, {
            param: 'guardrails',
            code: 'invalid_guardrail',
            final: true,
          });
        }
        chosen.add(g);
      }
    }
    return chosen.size ? new RequestGuard([...chosen], now) : undefined;
  }
}

/** One request's guardrails and what they decided (for the request log, never with a masked value). */
export class RequestGuard {
  readonly decisions: GuardrailDecision[] = [];
  /** Masked values by placeholder (output_parse_pii), restored in the answer. */
  readonly tokens?: PiiTokens;

  constructor(
    readonly chosen: Guardrail[],
    private readonly now: () => number,
  ) {
    if (chosen.some((g) => g.restoresPii)) this.tokens = new Map();
  }

  of(mode: Mode): Guardrail[] {
    return this.chosen.filter((g) => g.modes.includes(mode));
  }

  /** pre_call: in order, each on the texts the one before left; a mask rewrites the request, a block refuses it. */
  async pre(slots: Slot[], signal?: AbortSignal): Promise<void> {
    for (const g of this.of('pre_call')) await this.apply(g, 'pre_call', slots, 'input', signal);
  }

  /** during_call: all at once on the request as sent, beside the upstream call; only a block counts (the request has gone). */
  during(slots: Slot[], signal?: AbortSignal): Promise<void> | undefined {
    const gs = this.of('during_call');
    if (gs.length === 0) return undefined;
    const frozen = slots.map((s) => s.get());
    const copy = frozen.map((_, i): Slot => ({ get: () => frozen[i], set: () => {} }));
    const run = Promise.all(gs.map((g) => this.apply(g, 'during_call', copy, 'input', signal))).then(() => {});
    run.catch(() => {}); // awaited by the caller; never an unhandled rejection meanwhile
    return run;
  }

  /** post_call on a whole answer: masks rewrite it, a block refuses it; then masked values are restored (output_parse_pii). */
  async post(slots: Slot[], signal?: AbortSignal): Promise<boolean> {
    let changed = false;
    for (const g of this.of('post_call')) changed = (await this.apply(g, 'post_call', slots, 'output', signal)) || changed;
    if (this.tokens?.size) changed = apply(scanAll(restoring(this.tokens), slots.map((s) => s.get())), slots) || changed;
    return changed;
  }

  /** post_call services on a whole streamed answer's texts (the built-in rules ran in the guard stage). */
  async postServices(original: string[]): Promise<{ error?: RouterError; texts?: string[] }> {
    const texts = original.slice();
    const slots = texts.map((_, i): Slot => ({ get: () => texts[i], set: (t) => void (texts[i] = t) }));
    try {
      for (const g of this.of('post_call')) if (!g.rule) await this.apply(g, 'post_call', slots, 'output');
    } catch (e) {
      return { error: e as RouterError };
    }
    return { texts };
  }

  /** A stream's post_call decisions, once it has ended: what its guard stage found, by guardrail. */
  settle(found: Map<string, Set<string>>, error?: { final: boolean }) {
    for (const g of this.of('post_call')) {
      if (!g.rule) continue;
      const names = found.get(g.name);
      this.decisions.push({ name: g.name, mode: 'post_call', decision: error?.final ? 'blocked' : names?.size ? 'masked' : 'passed', found: names && [...names], latencyMs: 0 });
    }
  }

  /** logging_only: masks what the callbacks get (a copy), never what the model or the client sees. */
  forLogs(value: unknown): unknown {
    const rules = this.of('logging_only').flatMap((g) => (g.rule ? [g.rule] : []));
    if (rules.length === 0 || value === undefined) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return scanText(rules, v).text;
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value);
  }

  private async apply(g: Guardrail, mode: Mode, slots: Slot[], side: Side, signal?: AbortSignal): Promise<boolean> {
    const started = this.now();
    const texts = slots.map((s) => s.get());
    let verdict: Verdict;
    try {
      verdict = texts.every((t) => t === '') ? {} : await withTimeout(g, texts, side, this.tokens, signal);
    } catch (e) {
      const latencyMs = this.now() - started;
      if (g.failOpen) {
        this.decisions.push({ name: g.name, mode, decision: 'failed_open', latencyMs });
        return false;
      }
      this.decisions.push({ name: g.name, mode, decision: 'failed_closed', latencyMs });
      throw new RouterError('ServiceUnavailableError', `Guardrail '${g.name}' could not check the ${who(side)} (${(e as Error).message}); fail_open is not set`, {
        code: 'guardrail_unavailable',
        final: true,
      });
    }
    const latencyMs = this.now() - started;
    if (verdict.block !== undefined) {
      this.decisions.push({ name: g.name, mode, decision: 'blocked', found: verdict.found, latencyMs });
      throw blocked(g.name, verdict.block);
    }
    const masked = apply(verdict, slots);
    this.decisions.push({ name: g.name, mode, decision: masked ? 'masked' : 'passed', found: verdict.found, latencyMs });
    return masked;
  }
}

/** LiteLLM's refusal: a 400 whose message says what was found, naming the guardrail; never retried or fallen back from. */
export function blocked(name: string, message: string): RouterError {
  return new RouterError('BadRequestError', `${message} (guardrail: ${name})`, { code: 'guardrail_violation', final: true });
}

async function withTimeout(g: Guardrail, texts: string[], side: Side, tokens: PiiTokens | undefined, signal?: AbortSignal): Promise<Verdict> {
  if (g.rule) return g.check(texts, side, tokens, signal ?? new AbortController().signal);
  const timeout = AbortSignal.timeout(g.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  return await Promise.race([
    g.check(texts, side, tokens, both),
    new Promise<never>((_, reject) => both.addEventListener('abort', () => reject(new Error(timeout.aborted ? `no answer within ${g.timeoutMs / 1000}s` : 'aborted')), { once: true })),
  ]);
}

/** A verdict's rewritten texts into their slots; whether there were any. */
function apply(v: { texts?: string[] }, slots: Slot[]): boolean {
  v.texts?.forEach((t, i) => slots[i].set(t));
  return !!v.texts;
}

/** Masked values (output_parse_pii) put back where the model repeats their placeholders: a rule, so a stream's window runs it too. */
export function restoring(tokens: PiiTokens): TextRule {
  return {
    get window() {
      return Math.max(0, ...[...tokens.keys()].map((t) => t.length));
    },
    find(text) {
      const hits: Hit[] = [];
      for (const [t, v] of tokens) for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + t.length)) hits.push({ start: i, end: i + t.length, name: 'output_parse_pii', replacement: v });
      return hits;
    },
  };
}
