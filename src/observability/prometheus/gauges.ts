// The deployment gauges, read from the routing state (the RouterState objects) at scrape time:
// health, cooldown, requests and tokens left under rpm/tpm this minute, in-flight.
import type { Router } from '../../router/router';
import type { Labels, MetricName } from './metrics';
import { seriesKey } from './metrics';

/** The part of Router.stateReport() the gauges read. */
interface DeploymentReport {
  id: string;
  model: string;
  api_base: string;
  rpm: { used: number; limit: number | null };
  tpm: { used: number; limit: number | null };
  in_flight: number;
  fails_this_minute: number;
  cooldown_until: string | null;
}

type StateReport = Awaited<ReturnType<Router['stateReport']>>;

export function deploymentGauges(state: StateReport, router: Pick<Router, 'deployments'>): Record<string, number> {
  const gauges: Record<string, number> = {};
  const set = (name: MetricName, labels: Labels, v: number) => (gauges[seriesKey(name, labels)] = v);
  for (const [group, g] of Object.entries(state.groups)) {
    for (const d of (g as { deployments: DeploymentReport[] }).deployments) {
      const labels = {
        litellm_model_name: d.model,
        model_id: d.id,
        api_base: d.api_base,
        api_provider: router.deployments.get(d.id)?.provider.name,
        model_group: group,
      };
      const cooling = d.cooldown_until !== null;
      set('litellm_deployment_state', labels, cooling ? 2 : d.fails_this_minute > 0 ? 1 : 0);
      set('litellm_deployment_cooled_down', labels, cooling ? 1 : 0);
      set('litellm_deployment_in_flight_requests', labels, d.in_flight);
      if (d.rpm.limit !== null) set('litellm_remaining_requests_metric', labels, Math.max(0, d.rpm.limit - d.rpm.used));
      if (d.tpm.limit !== null) set('litellm_remaining_tokens_metric', labels, Math.max(0, d.tpm.limit - d.tpm.used));
    }
  }
  return gauges;
}
