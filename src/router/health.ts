// GET /health: an active check of each deployment, in LiteLLM's healthy_endpoints/unhealthy_endpoints shape.
// Each check is one small upstream call, so results are shared for a while rather than re-run per poll.
import type { RouterOptions } from '../config/types';
import { scrub } from '../providers/http';
import type { Deployment } from './deployment';
import { withModel } from './deployment';
import { asRouterError, RouterError } from './errors';
import { timeoutMs } from './policy';
import { publicParams } from './public-params';

/** Per isolate, a check of the same deployments runs at most once in this window; polls in between share it. */
export const HEALTH_REUSE_MS = 10_000;
const CHECK_TIMEOUT_CAP_MS = 30_000;

export interface HealthReport {
  healthy_endpoints: Array<Record<string, unknown>>;
  unhealthy_endpoints: Array<Record<string, unknown>>;
  healthy_count: number;
  unhealthy_count: number;
}

export class HealthChecker {
  private readonly recent = new Map<string, { at: number; report: Promise<HealthReport> }>();

  constructor(
    private readonly options: RouterOptions,
    private readonly fetcher: typeof globalThis.fetch,
    private readonly now: () => number,
  ) {}

  /** The report for these deployments: a fresh check, or the one started less than HEALTH_REUSE_MS ago. */
  check(key: string, deployments: Deployment[]): Promise<HealthReport> {
    const hit = this.recent.get(key);
    if (hit && this.now() - hit.at < HEALTH_REUSE_MS) return hit.report;
    const report = this.run(deployments);
    this.recent.set(key, { at: this.now(), report });
    return report;
  }

  private async run(deployments: Deployment[]): Promise<HealthReport> {
    const checked = await Promise.all(deployments.map(async (d) => ({ d, error: await this.probe(d) })));
    const out: HealthReport = { healthy_endpoints: [], unhealthy_endpoints: [], healthy_count: 0, unhealthy_count: 0 };
    for (const { d, error } of checked) {
      if (error === null) continue; // a wildcard deployment with no model_info.health_check_model
      const entry = { ...publicParams(d.params), model_id: d.id, model_name: d.group };
      if (error === undefined) out.healthy_endpoints.push(entry);
      else out.unhealthy_endpoints.push({ ...entry, error });
    }
    out.healthy_count = out.healthy_endpoints.length;
    out.unhealthy_count = out.unhealthy_endpoints.length;
    return out;
  }

  /** undefined: healthy; a string: the (scrubbed) error; null: not checkable. */
  private async probe(stored: Deployment): Promise<string | undefined | null> {
    const controller = new AbortController();
    const limit = Math.min(timeoutMs(this.options, stored), CHECK_TIMEOUT_CAP_MS);
    const timer = setTimeout(() => controller.abort(new RouterError('Timeout', `No answer within ${limit / 1000}s`)), limit);
    try {
      let d = stored;
      if (d.wildcard) {
        const name = d.info.health_check_model;
        if (typeof name !== 'string') return null;
        d = withModel(d, name);
      }
      const call = { deployment: d, signal: controller.signal, fetch: this.fetcher };
      const mode = d.info.mode;
      const forwarded = mode === 'rerank' ? { query: 'test', documents: ['test'] } : mode === 'moderation' ? { input: 'test' } : undefined;
      if (forwarded) {
        const endpoint = mode === 'rerank' ? 'rerank' : 'moderations';
        if (!d.provider.forward) throw new RouterError('BadRequestError', `${d.provider.name} does not serve ${endpoint}`);
        await (await d.provider.forward(endpoint, { ...call, body: { model: d.upstreamModel, ...forwarded } })).body?.cancel();
      } else if (/image|audio|realtime/.test(mode ?? '')) {
        // Images, audio and realtime: no call small enough to make on every poll.
        return null;
      } else if (mode === 'embedding') {
        if (!d.provider.embeddings) throw new RouterError('BadRequestError', `${d.provider.name} does not serve embeddings`);
        await d.provider.embeddings({ ...call, body: { model: d.upstreamModel, input: ['test'] } });
      } else {
        const result = await d.provider.chat({ ...call, body: { model: d.upstreamModel, messages: [{ role: 'user', content: "What's 1 + 1?" }], max_tokens: 1 } });
        if (result.kind === 'stream') await result.stream.cancel();
      }
      return undefined;
    } catch (e) {
      const err = controller.signal.aborted && controller.signal.reason instanceof RouterError ? controller.signal.reason : asRouterError(e);
      return scrub(`${err.errorClass}: ${err.message}`, stored);
    } finally {
      clearTimeout(timer);
    }
  }
}
