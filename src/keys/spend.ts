// LiteLLM's /global/spend/keys and /global/spend/teams (master key), from the KeyStore's spend counters: each
// key's and team's spend since its budget last reset (LiteLLM sums its spend logs; this gateway keeps no per-request
// spend log, so /global/spend/report and /global/spend/models, which need one, are not served).
import { Hono } from 'hono';
import { badRequest } from '../router/errors';
import { now, service } from './api';
import type { KeyedEnv } from './auth';

export const spendRoutes = new Hono<KeyedEnv>();

const limitOf = (v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw badRequest('limit: expected a whole number >= 1', 'limit', 'invalid_field');
  return n;
};

spendRoutes.get('/global/spend/keys', async (c) => {
  const limit = limitOf(c.req.query('limit'));
  const { keys } = await service(c).store().listKeys({ page: 1, size: 100_000 }, now(c));
  const rows = keys
    .map((k) => ({ api_key: k.token, total_spend: k.spend, key_alias: k.key_alias, key_name: k.key_name, team_id: k.team_id, user_id: k.user_id }))
    .sort((a, b) => b.total_spend - a.total_spend);
  return c.json(rows.slice(0, limit));
});

spendRoutes.get('/global/spend/teams', async (c) => {
  const teams = await service(c).store().listTeams(now(c));
  const per = teams.map((t) => ({ team_id: t.team_id, team_alias: t.team_alias, total_spend: t.spend })).sort((a, b) => b.total_spend - a.total_spend);
  return c.json({ teams: per.map((t) => t.team_alias ?? t.team_id), total_spend_per_team: per });
});
