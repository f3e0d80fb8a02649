// A virtual key's stored record, as /key/generate writes it, for tests that talk to a KeyStore object directly.
import { pack } from '../../src/keys/settled';
import type { KeyRecord, Settlement } from '../../src/keys/types';

export const keyRecord = (now: number, fields: Partial<KeyRecord> = {}): KeyRecord => ({
  token: 't'.repeat(64),
  key_name: 'sk-...abcd',
  key_alias: null,
  team_id: null,
  user_id: null,
  expires: null,
  models: [],
  max_budget: null,
  spend: 0,
  budget_duration: null,
  budget_reset_at: null,
  rpm_limit: null,
  tpm_limit: null,
  max_parallel_requests: null,
  metadata: {},
  blocked: false,
  created_at: new Date(now).toISOString(),
  updated_at: new Date(now).toISOString(),
  ...fields,
});

/** Finished requests as a batch sends them (src/keys/settled.ts). */
export function packed(...settlements: Settlement[]): number[] {
  const out: number[] = [];
  for (const s of settlements) pack(out, s);
  return out;
}
