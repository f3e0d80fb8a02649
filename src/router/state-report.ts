// GET /v1/router/state: per group and deployment, usage against limits, latency, in-flight, cooldown.
import type { RoutingStrategy } from '../config/types';
import { scrubDeep } from '../security/scrub';
import type { DeploymentStats } from '../state/ledger';
import type { StateStore } from '../state/store';
import type { Deployment } from './deployment';
import type { ModelGroups } from './groups';

export async function stateReport(groups: ModelGroups, state: StateStore, strategy: RoutingStrategy, now: number) {
  const report: Record<string, { routing_strategy: RoutingStrategy; deployments: DeploymentReport[] }> = {};
  await Promise.all(
    groups.names().map(async (group) => {
      const stats = await state.snapshot(group, now);
      report[group] = {
        routing_strategy: strategy,
        deployments: groups.deployments(group).map((d) => describeDeployment(d, stats[d.id], now)),
      };
    }),
  );
  // Read by /v1/router/state, /metrics and the dashboard: scrubbed once here.
  return scrubDeep({ now: new Date(now).toISOString(), groups: report });
}

export type DeploymentReport = ReturnType<typeof describeDeployment>;

function describeDeployment(d: Deployment, s: DeploymentStats | undefined, now: number) {
  const fresh = s && s.minute === Math.floor(now / 60_000);
  return {
    id: d.id,
    model: d.params.model,
    api_base: d.apiBase,
    rpm: { used: fresh ? s.rpm : 0, limit: d.rpm ?? null },
    tpm: { used: fresh ? s.tpm : 0, limit: d.tpm ?? null },
    latency_ms: s?.latencyMs ?? null,
    ttft_ms: s?.ttftMs ?? null,
    in_flight: s?.inFlight ?? 0,
    fails_this_minute: fresh ? s.fails : 0,
    cooldown_until: s && s.cooldownUntil > now ? new Date(s.cooldownUntil).toISOString() : null,
    last_error: s?.lastError ?? null,
  };
}
