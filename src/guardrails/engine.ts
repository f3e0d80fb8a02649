// The guardrails of one Router, and what they do to one request: which run (default_on ones, those the request
// names in `guardrails` or `metadata.guardrails`, those its key or team names), in which mode, and their verdicts.
// Built-ins run here; openai_moderation through this gateway's moderations route; the other services in the
// companion Worker, one service binding call each, within the guardrail's timeout and under its fail_open.
import type { RequestLog } from '../observability/events';
import type { RouterError } from '../router/errors';
import { RouterError as Refusal } from '../router/errors';
import { SCOPE_HEADER } from '../http/companion';
import { GuardStage, heldForServices } from '../stream/guard';
import { restoring } from './builtins';
import { kindOf, MODERATION_MODEL } from './kinds';
import type { GuardrailAnswer, GuardrailCall } from './protocol';
import { GUARDRAILS_PATH } from './protocol';
import type { Slot } from './texts';
import { textSlots } from './texts';
import type { Guardrail, GuardrailDecision, GuardrailSpec, Mode, PiiTokens, Side, TextRule, Verdict } from './types';
import { applyHits } from './types';

/** What the services' calls need from the gateway. */
export interface ServiceDeps {
  /** The companion Worker, which calls the services in their wire formats. */
  companion?: Fetcher;
  /** A moderations call through this gateway's router (openai_moderation): the answer's JSON. */
  moderate(model: string, input: string[], signal?: AbortSignal): Promise<any>;
}

const who = (side: Side) => (side === 'input' ? 'request' : 'answer');

/** A rule over texts: the first block wins; masks apply text by text. */
const scan = (rule: TextRule, texts: string[], tokens?: PiiTokens): Verdict => {
  const found = new Set<string>();
  let changed: string[] | undefined;
  for (const [i, text] of texts.entries()) {
    const hits = rule.find(text, tokens);
    for (const h of hits) found.add(h.name);
    const block = hits.find((h) => h.block);
    if (block) return { block: block.block, found: [...found] };
    if (hits.length) (changed ??= texts.slice())[i] = applyHits(text, hits);
  }
  return { texts: changed, found: found.size ? [...found] : undefined };
};

function checkOf(spec: GuardrailSpec, deps: ServiceDeps): Guardrail['check'] {
  const { rule, litellm_params: params } = spec;
  if (rule) return async (texts, _side, tokens) => scan(rule, texts, tokens);
  // openai_moderation: the texts to a moderation model group of this gateway; any flagged result blocks.
  if (kindOf(spec.type).local) {
    return async (texts, side, _t, signal) => {
      const r = await deps.moderate(String(params.model ?? MODERATION_MODEL), texts.filter(Boolean), signal);
      if (!Array.isArray(r?.results)) throw new Error('answer without results');
      const flagged = r.results.filter((x: any) => x?.flagged);
      const found = [...new Set<string>(flagged.flatMap((x: any) => Object.keys(x.categories ?? {}).filter((k) => x.categories[k] === true)))];
      return flagged.length ? { block: `Violated OpenAI moderation policy${found.length ? `: ${found.join(', ')}` : ''} in the ${who(side)}`, found } : {};
    };
  }
  // A service the companion calls: its answer is the verdict, or (not a 2xx) the service failing, in its words.
  return async (texts, side, tokens, signal) => {
    if (!deps.companion) throw new Error('guardrail services need the companion Worker');
    const call: GuardrailCall = { type: spec.type, params, side, texts, timeoutMs: spec.timeoutMs, tokens: tokens && [...tokens] };
    const res = await deps.companion.fetch(`https://companion${GUARDRAILS_PATH}`, { method: 'POST', headers: { [SCOPE_HEADER]: '*', 'content-type': 'application/json' }, body: JSON.stringify(call), signal });
    const answer = await res.json<GuardrailAnswer & { error?: { message?: string } }>().catch(() => undefined);
    if (!res.ok || !answer) throw new Error(answer?.error?.message ?? `the companion answered ${res.status}`);
    for (const [t, v] of answer.tokens ?? []) tokens?.set(t, v);
    return answer;
  };
}

/** LiteLLM's refusal: a 400 whose message says what was found, naming the guardrail; never retried or fallen back from. */
export const blocked = (name: string, message: string) => new Refusal('BadRequestError', `${message} (guardrail: ${name})`, { code: 'guardrail_violation', final: true });

export class Guardrails {
  private readonly byName: Map<string, Guardrail>;

  constructor(
    specs: GuardrailSpec[],
    deps: ServiceDeps,
    private readonly now: () => number,
  ) {
    this.byName = new Map(specs.map((s) => [s.name, { ...s, check: checkOf(s, deps) }]));
  }

  /**
   * The guardrails a request runs, or undefined when none: every default_on one, and each one the request (a list of
   * names, or LiteLLM's `{name: {...}}`) or its key and team name; `keyed` false: none (the gateway's own calls). A
   * name no guardrail has is a 400. `refused` completes the request's record when a guardrail refuses it.
   */
  open(requested: unknown, keyed: string[] | false | undefined, log: RequestLog, refused: (e: RouterError) => void): RequestGuard | undefined {
    if (keyed === false) return undefined;
    const chosen = new Set([...this.byName.values()].filter((g) => g.litellm_params.default_on));
    for (const name of [...(Array.isArray(requested) ? requested : Object.keys(requested ?? {})), ...(keyed ?? [])]) {
      const g = this.byName.get(name);
      if (!g) throw new Refusal('BadRequestError', `Guardrail '${name}' is not defined (defined: ${[...this.byName.keys()].join(', ')})`, { param: 'guardrails', code: 'invalid_guardrail', final: true });
      chosen.add(g);
    }
    return chosen.size ? new RequestGuard([...chosen], log, this.now, refused) : undefined;
  }
}

/** One request's guardrails and what they decided (in its record, never with a masked value). */
export class RequestGuard {
  readonly decisions: GuardrailDecision[] = [];
  /** Masked values by placeholder (output_parse_pii), restored in the answer. */
  readonly tokens?: PiiTokens;
  private during?: Promise<unknown>;

  constructor(
    private readonly chosen: Guardrail[],
    private readonly log: RequestLog,
    private readonly now: () => number,
    private readonly refused: (e: RouterError) => void,
  ) {
    if (chosen.some((g) => g.litellm_params.output_parse_pii)) this.tokens = new Map();
    log.guardrails = this.decisions;
  }

  private of(mode: Mode): Guardrail[] {
    return this.chosen.filter((g) => g.modes.includes(mode));
  }

  /**
   * pre_call on the request, in order, each on what the one before left (a mask rewrites the body in place, a block
   * refuses it); then during_call started beside the upstream call (only its blocks count: the request has gone).
   */
  async input(body: object, signal?: AbortSignal) {
    const slots = textSlots(body);
    try {
      for (const g of this.of('pre_call')) await this.apply(g, 'pre_call', slots, 'input', signal);
    } catch (e) {
      this.refused(e as RouterError);
      throw e;
    }
    // Callbacks get what the model got, and what logging_only masks for logs alone.
    this.log.messages = this.forLogs(this.log.messages);
    const sent = slots.map((s) => ({ get: s.get, set() {} }));
    this.during = Promise.all(this.of('during_call').map((g) => this.apply(g, 'during_call', sent, 'input', signal)));
    this.during.catch(() => {}); // awaited by output(); never an unhandled rejection meanwhile
  }

  /**
   * during_call's verdict (a stream is cancelled unread when it fails), then post_call on a JSON answer, and the
   * placeholders of output_parse_pii restored; a stream's post_call services see it whole, held to its end (the
   * built-ins run in the relay's guard stage). Returns whether a JSON answer changed.
   */
  async output(value: { kind: 'json'; body: unknown } | { kind: 'stream'; stream: ReadableStream<Uint8Array> }, errorEvent?: (e: RouterError) => Uint8Array): Promise<boolean> {
    try {
      await this.during;
      if (value.kind === 'stream') {
        if (errorEvent && this.of('post_call').some((g) => !g.rule)) value.stream = value.stream.pipeThrough(heldForServices((texts) => this.postServices(texts), errorEvent));
        return false;
      }
      const slots = textSlots(value.body);
      let changed = false;
      for (const g of this.of('post_call')) changed = (await this.apply(g, 'post_call', slots, 'output')) || changed;
      const restored = this.tokens?.size ? scan(restoring(this.tokens), slots.map((s) => s.get())).texts : undefined;
      restored?.forEach((t, i) => slots[i].set(t));
      return changed || !!restored;
    } catch (e) {
      if (value.kind === 'stream') value.stream.cancel().catch(() => {});
      else this.refused(e as RouterError);
      throw e;
    }
  }

  /** post_call services on a whole streamed answer's texts: the texts masked, or undefined when unchanged; throws a refusal. */
  private async postServices(texts: string[]): Promise<string[] | undefined> {
    const slots = textSlots({ input: texts });
    let changed = false;
    for (const g of this.of('post_call')) if (!g.rule) changed = (await this.apply(g, 'post_call', slots, 'output')) || changed;
    return changed ? texts : undefined;
  }

  /**
   * The relay's guard stage for a stream: its post_call rules (and output_parse_pii's restoring), or undefined when
   * none. Each rule's decision is in the record from the start, and the stage sets what it finds.
   */
  stage(): GuardStage | undefined {
    const rules: Array<{ name: string; rule: TextRule; decision?: GuardrailDecision }> = [];
    for (const { name, rule } of this.of('post_call')) {
      if (!rule) continue;
      const decision: GuardrailDecision = { name, mode: 'post_call', decision: 'passed', latencyMs: 0 };
      this.decisions.push(decision);
      rules.push({ name, rule, decision });
    }
    if (this.tokens?.size) rules.push({ name: 'output_parse_pii', rule: restoring(this.tokens) });
    return rules.length ? new GuardStage(rules, this.tokens) : undefined;
  }

  /** logging_only: masks what the callbacks get (a copy), never what the model or the client sees. */
  forLogs<T>(value: T): T {
    const rules = this.of('logging_only');
    if (!rules.length || value === undefined) return value;
    const box = { content: structuredClone(value) };
    for (const s of textSlots(box)) for (const g of rules) s.set(applyHits(s.get(), g.rule!.find(s.get())));
    return box.content;
  }

  /** One guardrail on the slots' texts: a mask rewrites them, a block or (fail_open unset) a failure throws. Whether they changed. */
  private async apply(g: Guardrail, mode: Mode, slots: Slot[], side: Side, signal?: AbortSignal): Promise<boolean> {
    const started = this.now();
    const d: GuardrailDecision = { name: g.name, mode, decision: 'passed', latencyMs: 0 };
    this.decisions.push(d);
    const texts = slots.map((s) => s.get());
    let v: Verdict;
    try {
      v = !texts.some(Boolean) ? {} : g.rule ? await g.check(texts, side, this.tokens) : await withTimeout(g, texts, side, this.tokens, signal);
    } catch (e) {
      d.latencyMs = this.now() - started;
      const open = g.litellm_params.fail_open;
      d.decision = open ? 'failed_open' : 'failed_closed';
      if (open) return false;
      throw new Refusal('ServiceUnavailableError', `Guardrail '${g.name}' could not check the ${who(side)} (${(e as Error).message}); fail_open is not set`, { code: 'guardrail_unavailable', final: true });
    }
    d.latencyMs = this.now() - started;
    d.found = v.found;
    if (v.block !== undefined) {
      d.decision = 'blocked';
      throw blocked(g.name, v.block);
    }
    v.texts?.forEach((t, i) => slots[i].set(t));
    if (v.texts) d.decision = 'masked';
    return !!v.texts;
  }
}

/** A service's check within its timeout (and the client's signal). */
function withTimeout(g: Guardrail, texts: string[], side: Side, tokens: PiiTokens | undefined, signal?: AbortSignal): Promise<Verdict> {
  const timeout = AbortSignal.timeout(g.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  return Promise.race([
    g.check(texts, side, tokens, both),
    new Promise<never>((_, reject) => both.addEventListener('abort', () => reject(new Error(timeout.aborted ? `no answer within ${g.timeoutMs / 1000}s` : 'aborted')))),
  ]);
}
