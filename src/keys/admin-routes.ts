// Key management's routes (LiteLLM's /key/*, /team/*, /user/*, /tag/*, /customer/* and the spend by key and team),
// answered by the companion Worker over the gateway's key objects: the gateway authenticates the caller and forwards
// them (src/keys/admin-forward.ts), as LiteLLM's proxy needs its database for them.

/** The paths forwarded, as route patterns. */
export const ADMIN_ROUTES = ['/key/*', '/team/*', '/user/*', '/tag/*', '/customer/*', '/global/spend/keys', '/global/spend/teams', '/dashboard/keys'];

/** What a virtual key may read about itself (its own key, its own team); every other admin route takes the master key. */
export const KEY_READABLE_ROUTES = ['/key/info', '/team/info'];
