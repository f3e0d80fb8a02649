// Spend from the KeyStore's counters (each key's and team's spend since its budget last reset): the dashboard's
// spend-by-key view, and LiteLLM's /global/spend/keys and /global/spend/teams (master key; served by the companion,
// as api.ts). LiteLLM sums its spend logs for these; its reports over the log are the companion's spend routes.
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import type { AdminEnv } from './api';
import { now } from './api';

/** Keys and teams, highest spend first, with LiteLLM's total_spend (and api_key, team_alias) beside each record. */
async function spend(c: Context<AdminEnv>) {
  const dir = c.var.admin.directory;
  const [{ keys }, teams] = await Promise.all([dir.listKeys({ page: 1, size: 1000 }, now(c)), dir.listTeams(now(c))]);
  const alias = new Map(teams.map((t) => [t.team_id, t.team_alias]));
  const order = <R extends { spend: number }>(list: R[]) => list.map((r) => ({ ...r, total_spend: r.spend })).sort((a, b) => b.spend - a.spend);
  return { keys: order(keys.map((k) => ({ ...k, api_key: k.token, team_alias: alias.get(k.team_id!) ?? null }))), teams: order(teams) };
}

export const spendRoutes = new Hono<AdminEnv>()
  .get('/dashboard/keys', async (c) => c.json(await spend(c), 200, { 'cache-control': 'no-store' }))
  .get('/global/spend/keys', async (c) => c.json((await spend(c)).keys.slice(0, Number(c.req.query('limit')) || 1000)))
  .get('/global/spend/teams', async (c) => {
    const { teams } = await spend(c);
    return c.json({ teams: teams.map((t) => t.team_alias ?? t.team_id), total_spend_per_team: teams });
  });
