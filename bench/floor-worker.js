// The floor: a Worker on the same workerd that forwards every request to the bench upstream and does
// nothing else. What the gateway costs is what it adds above this.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname + url.search, request);
  },
};
