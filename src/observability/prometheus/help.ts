// The metrics' HELP texts: data, public/metrics-help.json, a static asset outside the Worker's bundle. Read from
// the ASSETS binding by the first /metrics of an isolate (each scrape that finds none reads it: no read in flight
// is shared between requests) and kept. With no ASSETS binding, or a failed read, the exposition has no HELP lines.
let help: Readonly<Record<string, string>> | undefined;

export async function metricsHelp(assets: Fetcher | undefined): Promise<Readonly<Record<string, string>>> {
  if (help || !assets) return help ?? {};
  const res = await assets.fetch('http://assets/metrics-help.json');
  return res.ok ? (help = await res.json<Record<string, string>>()) : {};
}
