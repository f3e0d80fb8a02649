// Models added at runtime (general_settings.store_model_in_db, LiteLLM's switch): the companion Worker keeps them
// (src/companion/models/, sealed in its database); each isolate reads the list at its first request and again at
// most every REFRESH_MS, in the background of a request, and builds its gateway over the config and the list. So a
// change reaches the isolate that made it at once, and every other one within REFRESH_MS of its next request.
import { SCOPE_HEADER } from '../http/companion';
import { logLine } from '../security/scrub';
import { RouterError } from '../router/errors';

export const REFRESH_MS = 10_000;
/** The companion's internal routes (the gateway never forwards a client to them). */
export const STORED_MODELS_PATH = '/internal/models';

export interface StoredModel {
  model_id: string;
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export class StoredModels {
  /** The companion's version of the list; -1 until first read. */
  version = -1;
  models: StoredModel[] = [];
  private readAt = -Infinity;
  private reading?: Promise<void>;

  constructor(
    private readonly companion: Fetcher,
    private readonly now: () => number,
  ) {}

  /** Whether a read was tried (one that failed is tried again after REFRESH_MS, not on every request). */
  get tried(): boolean {
    return this.readAt > -Infinity;
  }

  read(): Promise<void> {
    // The version held: the companion answers the list only when it has changed since.
    this.reading ??= this.call('GET', this.version < 0 ? '' : `?since=${this.version}`)
      .then(async (res) => {
        const { version, models } = await res.json<{ version: number; models?: StoredModel[] }>();
        if (models) this.models = models;
        this.version = version;
      })
      .catch((e) => logLine('warn', { msg: 'stored models: not read', error: String(e) }))
      .finally(() => {
        this.readAt = this.now();
        this.reading = undefined;
      });
    return this.reading;
  }

  /** A read in the request's background when the list is older than REFRESH_MS. */
  refreshIfDue(defer: (p: Promise<unknown>) => void): void {
    if (!this.reading && this.now() - this.readAt >= REFRESH_MS) defer(this.read());
  }

  async put(model: StoredModel): Promise<void> {
    await this.call('PUT', `/${encodeURIComponent(model.model_id)}`, JSON.stringify(model));
    await this.read();
  }

  async delete(id: string): Promise<boolean> {
    const { deleted } = await (await this.call('DELETE', `/${encodeURIComponent(id)}`)).json<{ deleted: boolean }>();
    await this.read();
    return deleted;
  }

  private async call(method: string, path: string, body?: string): Promise<Response> {
    const res = await this.companion.fetch(`https://companion${STORED_MODELS_PATH}${path}`, {
      method,
      body,
      headers: { [SCOPE_HEADER]: '*', 'content-type': 'application/json' },
    });
    if (res.ok) return res;
    // The companion's refusal (LITELLM_SALT_KEY unset, no database) is the client's answer, with its status.
    const { error } = await res.json<{ error?: { message?: string; code?: string } }>().catch(() => ({ error: undefined }));
    throw new RouterError('InternalServerError', error?.message ?? `The companion answered ${res.status}`, { status: res.status, code: error?.code });
  }
}
