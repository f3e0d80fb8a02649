// Where a request meets its guardrails (src/guardrails/): pre_call before the call (and before the cache),
// during_call beside it (the answer held until it passes), post_call on a JSON answer here and on a stream in the
// relay's guard stage. A refusal is logged as the request's failure, with each guardrail's decision.
import type { Guardrails, RequestGuard } from '../guardrails/engine';
import { blocked, guardrailNames, restoring } from '../guardrails/engine';
import type { GuardedCall } from '../guardrails/texts';
import { inputSlots, outputSlots } from '../guardrails/texts';
import type { RequestLog } from '../observability/events';
import type { Defer } from '../state/store';
import type { TextFormat } from '../stream/guard';
import { GuardStage, heldForServices } from '../stream/guard';
import type { Stage } from '../stream/stage';
import type { RouterError } from './errors';
import { asRouterError } from './errors';
import type { GatewayControls } from './request';
import type { RequestLogger } from './request-log';

export class Guarding {
  constructor(
    private readonly guardrails: Guardrails,
    private readonly logger: RequestLogger,
    private readonly now: () => number,
  ) {}

  /** `keyed`: the virtual key's and its team's guardrails. */
  open(controls: GatewayControls, keyed: string[] | false | undefined): RequestGuard | undefined {
    return keyed === false ? undefined : this.guardrails.open(guardrailNames(controls.guardrails), keyed, this.now);
  }

  /** pre_call (rewriting the body in place), then during_call started: its run, awaited by `output`. */
  async input(guard: RequestGuard | undefined, call: GuardedCall, body: object, log: RequestLog, defer: Defer, signal?: AbortSignal): Promise<During | undefined> {
    if (!guard) return undefined;
    log.guardrails = guard.decisions;
    try {
      await guard.pre(inputSlots(call, body as Record<string, unknown>), signal);
    } catch (e) {
      this.logger.finish(log, asRouterError(e), {}, defer);
      throw e;
    }
    // Callbacks get what the model got, then what logging_only masks for logs alone.
    log.messages = guard.forLogs(log.messages);
    const run = guard.during(inputSlots(call, body as Record<string, unknown>), signal);
    return run && { run };
  }

  /**
   * during_call's verdict (a stream is cancelled unread when it fails), then post_call on a JSON answer. Returns
   * whether the answer's body changed (its upstream bytes no longer stand for it).
   */
  async output(
    guard: RequestGuard | undefined,
    during: During | undefined,
    call: GuardedCall,
    value: { kind: 'json'; body: unknown } | { kind: 'stream'; stream: ReadableStream<Uint8Array> },
    log: RequestLog,
    defer: Defer,
    errorEvent?: (e: RouterError) => Uint8Array,
  ): Promise<boolean> {
    if (!guard) return false;
    try {
      await during?.run;
      if (value.kind === 'json') return await guard.post(outputSlots(call, value.body));
      // post_call services see a stream whole: it is held to its end (the built-in rules ran on it as it flowed).
      if (errorEvent && guard.of('post_call').some((g) => !g.rule)) {
        value.stream = value.stream.pipeThrough(heldForServices(call as TextFormat, (texts) => guard.postServices(texts), errorEvent));
      }
      return false;
    } catch (e) {
      if (value.kind === 'stream') value.stream.cancel().catch(() => {});
      else this.logger.finish(log, asRouterError(e), {}, defer);
      throw e;
    }
  }

  /** The relay's guard stage for a stream, when its post_call guardrails have rules (or masked values to restore). */
  stages(guard: RequestGuard | undefined, format: TextFormat): GuardStages | undefined {
    if (!guard) return undefined;
    const rules = guard.of('post_call').flatMap((g) => (g.rule ? [{ name: g.name, rule: g.rule }] : []));
    if (guard.tokens) rules.push({ name: 'output_parse_pii', rule: restoring(guard.tokens) });
    if (!rules.length) return undefined;
    const stage = new GuardStage(format, rules, guard.tokens, blocked);
    return { stages: [stage], settle: (error) => guard.settle(stage.found, error) };
  }
}

/** during_call guardrails running beside the upstream call (wrapped: an async function would wait for a promise it returns). */
export interface During {
  run: Promise<void>;
}

/** A stream's guard stage, and what records its decisions when the stream ends. */
export interface GuardStages {
  stages: Stage[];
  settle(error?: RouterError): void;
}
