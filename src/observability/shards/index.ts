// The deployment's metrics, sharded over METRICS_SHARDS MetricsState objects. An isolate sends all its batches to
// one shard, picked at random when its gateway is built, so each shard hears from about 1/N of the isolates. A
// reader (/metrics, the dashboard) asks every shard, six at a time, and adds up their answers (merge.ts).
import { fanOut } from '../../utils/fan-out';
import { mergeRecent, mergeSeries } from './merge';
import type { MetricsState } from './object';
import type { MinuteSummary, Recent, RecentError, Series } from './types';

/** Shards a reader asks: 16 calls in three rounds of six. ARCHITECTURE.md's capacity model says why 16. */
export const METRICS_SHARDS = 16;

/** Shard 0 has the name of the single object that came before, so the counts it holds carry on. */
export const shardName = (namespace: string, i: number) => (i === 0 ? `${namespace}metrics` : `${namespace}metrics:${i}`);

const SHARDS = Array.from({ length: METRICS_SHARDS }, (_, i) => i);

export class MetricsShards {
  constructor(
    private readonly ns: DurableObjectNamespace<MetricsState>,
    /** Keeps one gateway's metrics apart from others on the same binding (tests). */
    private readonly namespace = '',
    /** The shard this isolate writes to. */
    readonly shard = Math.floor(Math.random() * METRICS_SHARDS),
  ) {}

  /** Where this isolate's batches go. */
  writer(): DurableObjectStub<MetricsState> {
    return this.stub(this.shard);
  }

  /** Every counter and histogram, summed over the shards. */
  async series(): Promise<Series> {
    return mergeSeries(await fanOut(SHARDS, (i) => this.stub(i).series() as Promise<Series>));
  }

  /** The dashboard's recent minutes and errors, merged over the shards. */
  async recent(now: number): Promise<{ minutes: MinuteSummary[]; errors: RecentError[] }> {
    return mergeRecent(await fanOut(SHARDS, (i) => this.stub(i).recent(now) as Promise<Recent>));
  }

  private stub(i: number) {
    return this.ns.get(this.ns.idFromName(shardName(this.namespace, i)));
  }
}
