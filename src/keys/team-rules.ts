// A team's keys inherit its limits and cannot exceed them (LiteLLM refuses such a key at /key/generate and
// /key/update the same way).
import { modelAllowed } from './policy';
import type { KeyRecord, Refusal, TeamRecord } from './types';

const badRequest = (message: string, param: string): Refusal => ({ status: 400, type: 'bad_request_error', code: '400', message, param });

export function teamConflict(key: KeyRecord, team: TeamRecord): Refusal | undefined {
  if (team.models.length > 0) {
    const outside = key.models.filter((m) => !modelAllowed(team.models, { model: m }));
    if (outside.length > 0) {
      return badRequest(`Model(s) ${outside.join(', ')} not in team ${team.team_id}'s models: ${team.models.join(', ')}`, 'models');
    }
  }
  for (const field of ['max_budget', 'rpm_limit', 'tpm_limit', 'max_parallel_requests'] as const) {
    const mine = key[field];
    const theirs = team[field];
    if (mine !== null && theirs !== null && mine > theirs) {
      return badRequest(`${field}=${mine} of the key is over its team ${team.team_id}'s ${field}=${theirs}`, field);
    }
  }
  return undefined;
}

export const notFound = (what: string, param: string): Refusal => ({ status: 404, type: 'not_found_error', code: '404', message: what, param });
export { badRequest };
