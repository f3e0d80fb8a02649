// usage-based-routing: the deployment with the most headroom this minute. Limits themselves are enforced
// for every strategy before it runs (see ledger.ts); this one spreads load so no deployment hits them first.
import type { Strategy } from './types';
import { lowest } from './lowest';

export const usageBased: Strategy = (candidates, ctx) =>
  lowest(candidates, ctx.random, (c) => {
    const s = ctx.stats(c.id);
    const tpmShare = c.tpm ? s.tpm / c.tpm : 0;
    const rpmShare = c.rpm ? s.rpm / c.rpm : 0;
    // Without limits, fall back to raw token use so unlimited deployments still share.
    return c.tpm || c.rpm ? Math.max(tpmShare, rpmShare) : s.tpm;
  });
