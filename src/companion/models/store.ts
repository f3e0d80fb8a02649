// Models added at runtime (LiteLLM's store_model_in_db, its LiteLLM_ProxyModelTable) in the companion's D1
// database: litellm_params sealed (seal.ts), model_name and model_info in the clear. A version row, bumped in the
// same transaction as each change, tells the gateway's isolates when to read the list again.
import type { StoredModel } from '../../models/stored';
import { schemaOnce } from '../d1-schema';
import { seal, unseal } from './seal';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS proxy_models ("model_id" TEXT PRIMARY KEY, "model_name" TEXT NOT NULL, "litellm_params" TEXT NOT NULL,
    "model_info" TEXT NOT NULL DEFAULT '{}', "created_at" TEXT NOT NULL, "updated_at" TEXT NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS proxy_models_version ("id" INTEGER PRIMARY KEY, "version" INTEGER NOT NULL)',
  'INSERT OR IGNORE INTO proxy_models_version VALUES (1, 0)',
];
const BUMP = 'UPDATE proxy_models_version SET "version" = "version" + 1 WHERE "id" = 1';

const ensure = schemaOnce(SCHEMA);

interface Row {
  model_id: string;
  model_name: string;
  litellm_params: string;
  model_info: string;
  created_at: string;
  updated_at: string;
}

export class ModelStore {
  constructor(
    private readonly db: D1Database,
    private readonly salt: string | undefined,
  ) {}

  async version(): Promise<number> {
    await ensure(this.db);
    return (await this.db.prepare('SELECT "version" FROM proxy_models_version WHERE "id" = 1').first<number>('version')) ?? 0;
  }

  /**
   * The list, or with `since` (the version a gateway isolate holds) only the version when that is still current:
   * an isolate's poll every REFRESH_MS then reads one row, and unseals nothing.
   */
  async list(since?: number): Promise<{ version: number; models?: StoredModel[] }> {
    await ensure(this.db);
    if (since !== undefined) {
      const version = await this.version();
      if (version === since) return { version };
    }
    const [v, rows] = await this.db.batch<Row & { version: number }>([
      this.db.prepare('SELECT "version" FROM proxy_models_version WHERE "id" = 1'),
      this.db.prepare('SELECT * FROM proxy_models ORDER BY "created_at", "model_id"'),
    ]);
    return { version: v.results[0]?.version ?? 0, models: await Promise.all((rows.results as Row[]).map((r) => this.open(r))) };
  }

  async get(id: string): Promise<StoredModel | null> {
    await ensure(this.db);
    const row = await this.db.prepare('SELECT * FROM proxy_models WHERE "model_id" = ?').bind(id).first<Row>();
    return row && this.open(row);
  }

  /** Adds or replaces the model under its id. */
  async put(m: StoredModel): Promise<void> {
    await ensure(this.db);
    const sealed = await seal(m.litellm_params, this.salt);
    await this.db.batch([
      this.db
        .prepare('INSERT OR REPLACE INTO proxy_models VALUES (?, ?, ?, ?, ?, ?)')
        .bind(m.model_id, m.model_name, sealed, JSON.stringify(m.model_info), m.created_at, m.updated_at),
      this.db.prepare(BUMP),
    ]);
  }

  /** Whether there was such a model. */
  async delete(id: string): Promise<boolean> {
    await ensure(this.db);
    const [deleted] = await this.db.batch([this.db.prepare('DELETE FROM proxy_models WHERE "model_id" = ?').bind(id), this.db.prepare(BUMP)]);
    return deleted.meta.changes > 0;
  }

  private async open(r: Row): Promise<StoredModel> {
    return { ...r, litellm_params: await unseal(r.litellm_params, this.salt), model_info: JSON.parse(r.model_info) };
  }
}
