// The observability routes: /metrics (Prometheus), and the dashboard's data. Mounted behind the master key;
// the dashboard's HTML shell (dashboardPage) is served openly, since a browser cannot send a key on navigation.
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Gateway } from '../gateway';
import { RouterError } from '../router/errors';
import { scrub, scrubDeep } from '../security/scrub';
import type { Exposition } from './prometheus/exposition';
import { CONTENT_TYPE, renderExposition } from './prometheus/exposition';
import { deploymentGauges } from './prometheus/gauges';

type ObservabilityEnv = { Variables: { gateway: Extract<Gateway, { ok: true }> } };

/**
 * The page is a static asset (public/dashboard.html, the ASSETS binding): served from Cloudflare's asset layer,
 * it is no part of the Worker's bundle and its cold start.
 */
export const dashboardPage = async (c: Context<{ Bindings: { ASSETS?: Fetcher } }>) => {
  const assets = c.env?.ASSETS;
  if (!assets) throw new RouterError('NotFoundError', 'The dashboard page is served from the ASSETS binding, which this gateway does not have', { code: 'dashboard_unavailable' });
  const page = await assets.fetch(new URL('/dashboard.html', c.req.url));
  return c.html(await page.text(), 200, { 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'" });
};

export const observabilityRoutes = new Hono<ObservabilityEnv>()
  .get('/metrics', async (c) => {
    const { router, observability } = c.var.gateway;
    if (!observability.prometheus || !observability.metrics) {
      throw new RouterError('NotFoundError', 'Prometheus metrics are off: add prometheus to litellm_settings.callbacks (or success_callback)', {
        code: 'metrics_disabled',
      });
    }
    const [series, state] = await Promise.all([observability.metrics.series(), router.stateReport()]);
    const exposition: Exposition = { ...series, gauges: deploymentGauges(state, router) };
    return c.body(scrub(renderExposition(exposition)), 200, { 'content-type': CONTENT_TYPE });
  })
  .get('/dashboard/data', async (c) => {
    const { router, observability } = c.var.gateway;
    const state = await router.stateReport();
    const recent = observability.metrics ? await observability.metrics.recent(Date.parse(state.now)) : { minutes: [], errors: [] };
    return c.json(scrubDeep({ ...state, ...recent }), 200, { 'cache-control': 'no-store' });
  });
