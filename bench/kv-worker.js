// The CACHE KV namespace for the bench's workerd: an in-memory store speaking the protocol workerd's
// kvNamespace binding uses (GET/PUT/DELETE /<key>, GET / to list), with expiration honoured.
// It stands in for Cloudflare KV (or miniflare's) so the cache path runs for real; its speed is local
// memory, not KV's, so cache hit figures are a floor for the gateway's own share.
const store = new Map(); // key -> { value: ArrayBuffer, expiration?: number (s), metadata?: string }

const nowS = () => Date.now() / 1000;

function keyOf(url) {
  const raw = url.pathname.slice(1);
  return url.searchParams.get('urlencoded')?.toLowerCase() === 'true' ? decodeURIComponent(raw) : raw;
}

function live(key) {
  const e = store.get(key);
  if (e && e.expiration !== undefined && e.expiration <= nowS()) {
    store.delete(key);
    return undefined;
  }
  return e;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const key = keyOf(url);
    if (request.method === 'GET' && key === '') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const keys = [...store.keys()]
        .filter((k) => k.startsWith(prefix) && live(k))
        .sort()
        .map((name) => ({ name, expiration: store.get(name).expiration, metadata: store.get(name).metadata }));
      return Response.json({ keys, list_complete: true, cacheStatus: null });
    }
    if (request.method === 'GET') {
      const e = live(key);
      if (!e) return new Response('Not Found', { status: 404 });
      const headers = new Headers();
      if (e.expiration !== undefined) headers.set('CF-Expiration', String(Math.floor(e.expiration)));
      if (e.metadata !== undefined) headers.set('CF-KV-Metadata', e.metadata);
      return new Response(e.value, { headers });
    }
    if (request.method === 'PUT') {
      const ttl = url.searchParams.get('expiration_ttl');
      const at = url.searchParams.get('expiration');
      const expiration = ttl !== null ? nowS() + Number(ttl) : at !== null ? Number(at) : undefined;
      const metadata = request.headers.get('CF-KV-Metadata') ?? undefined;
      store.set(key, { value: await request.arrayBuffer(), expiration, metadata });
      return new Response(null);
    }
    if (request.method === 'DELETE') {
      store.delete(key);
      return new Response(null);
    }
    return new Response('Method Not Allowed', { status: 405 });
  },
};
