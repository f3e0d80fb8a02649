// Local stand-ins for Langfuse's ingestion API and Sentry's envelope endpoint, reached through the
// companion's injectable fetch: they record what arrives and answer as the real services do.

type Handler = (req: Request) => Promise<Response>;

export class LangfuseReceiver {
  readonly posts: Array<{ url: string; authorization: string | null; batch: any[] }> = [];

  get events(): any[] {
    return this.posts.flatMap((p) => p.batch);
  }

  readonly handle: Handler = async (req) => {
    const body = await req.json<{ batch: any[] }>();
    this.posts.push({ url: req.url, authorization: req.headers.get('authorization'), batch: body.batch });
    // Langfuse answers 207 with per-event results.
    return Response.json({ successes: body.batch.map((e) => ({ id: e.id, status: 201 })), errors: [] }, { status: 207 });
  };
}

export interface SentryEnvelope {
  url: string;
  auth: string | null;
  raw: string;
  header: any;
  items: Array<{ header: any; payload: any }>;
}

export class SentryReceiver {
  readonly envelopes: SentryEnvelope[] = [];

  get events(): any[] {
    return this.envelopes.flatMap((e) => e.items.filter((i) => i.header.type === 'event').map((i) => i.payload));
  }

  readonly handle: Handler = async (req) => {
    const raw = await req.text();
    const [header, ...rest] = raw.split('\n').filter(Boolean);
    const items = [];
    for (let i = 0; i + 1 < rest.length; i += 2) items.push({ header: JSON.parse(rest[i]), payload: JSON.parse(rest[i + 1]) });
    this.envelopes.push({ url: req.url, auth: req.headers.get('x-sentry-auth'), raw, header: JSON.parse(header), items });
    return Response.json({ id: JSON.parse(header).event_id ?? 'x' });
  };
}
