// Nothing secret leaves through a log line, a trace, a metric or an error report: the config's own secrets
// (provider keys, the master key) are cut out by value, then anything key-shaped by scrub()'s patterns.
import { SECRET_PARAMS } from '../config/secrets';
import type { ProxyConfig } from '../config/types';
import { scrub } from '../providers/http';

export type Redact = (text: string) => string;

/** The secret values a config holds, longest first so a key that contains another is cut whole. */
export function configSecrets(config: ProxyConfig, extra: unknown[] = []): string[] {
  const values: unknown[] = [config.general_settings.master_key, ...extra];
  for (const m of config.model_list) for (const k of SECRET_PARAMS) values.push(m.litellm_params[k]);
  return values
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
    .sort((a, b) => b.length - a.length);
}

export function redactor(secrets: string[]): Redact {
  return (text) => scrub(secrets.reduce((out, s) => out.split(s).join('***'), text));
}
