// LiteLLM's /global/spend/keys and /global/spend/teams (master key), from the KeyStore's spend counters: each
// key's and team's spend since its budget last reset (LiteLLM sums its spend logs; there are none here, so
// /global/spend/report and /global/spend/models, which need them, are not served).
import { Hono } from 'hono/tiny';
import { now, service } from './api';
import type { KeyedEnv } from './auth';
import { pageParam } from './input';

export const spendRoutes = new Hono<KeyedEnv>()
  .get('/global/spend/keys', async (c) => {
    const limit = pageParam(c.req.query('limit'), 'limit', 1000, 1000);
    const { keys } = await service(c).directory.listKeys({ page: 1, size: 1000 }, now(c));
    const rows = keys.map((k) => ({ api_key: k.token, total_spend: k.spend, key_alias: k.key_alias, key_name: k.key_name, team_id: k.team_id, user_id: k.user_id }));
    return c.json(rows.sort((a, b) => b.total_spend - a.total_spend).slice(0, limit));
  })
  .get('/global/spend/teams', async (c) => {
    const teams = await service(c).directory.listTeams(now(c));
    const per = teams.map((t) => ({ team_id: t.team_id, team_alias: t.team_alias, total_spend: t.spend })).sort((a, b) => b.total_spend - a.total_spend);
    return c.json({ teams: per.map((t) => t.team_alias ?? t.team_id), total_spend_per_team: per });
  });
