// Internal users as LiteLLM's /user/* shows them (LiteLLM_UserTable), and their team memberships.

export interface UserRecord {
  user_id: string;
  user_email: string | null;
  user_alias: string | null;
  /** proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer, ... (stored; only the master key manages). */
  user_role: string;
  teams: string[];
  /** Models this user's keys may call: a key generated for the user is held within them. */
  models: string[];
  /** Stored; enforcing a user's budget and limits across its keys is not done yet (see the report). */
  max_budget: number | null;
  budget_duration: string | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  spend: number;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  [stored: string]: unknown;
}
