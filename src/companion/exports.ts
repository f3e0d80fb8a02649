// What the exporters (OTel, Langfuse, Sentry) and the model store share: the companion's secrets, and which entries of an envelope
// one of them is to send, as the gateway's callbacks lists asked for it.
import type { Envelope, Export, SpendEntry } from '../spend/entry';

/** A var or secret of the companion's env, unset when empty. */
export type Secret = (name: string) => string | undefined;

export const secretsOf =
  (env: Record<string, unknown>): Secret =>
  (name) => (typeof env[name] === 'string' && env[name] !== '' ? (env[name] as string) : undefined);

/** The entries an export is on for: successes, failures or both. */
export const wantedEntries = (en: Envelope, on: Export | undefined): SpendEntry[] =>
  on ? en.entries.filter((e) => (e.ok ? on.success : on.failure)) : [];
