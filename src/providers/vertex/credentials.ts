// vertex_credentials: a Google service-account key (the JSON file's content, as a string or an object; usually
// os.environ/NAME). A Worker has no metadata server and no files, so this is the one way to authenticate.
export interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri: string;
}

const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const parsed = new Map<string, ServiceAccount | string>();

/** The service account, or a fault naming what is wrong (never the key itself). */
export function serviceAccount(value: unknown): ServiceAccount | string {
  if (value === undefined || value === null || value === '') {
    return 'required: a service-account JSON key (e.g. os.environ/VERTEX_CREDENTIALS); a Worker has no default Google credentials';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const hit = parsed.get(text);
  if (hit) return hit;
  const result = parse(value);
  parsed.set(text, result);
  return result;
}

function parse(value: unknown): ServiceAccount | string {
  let json: unknown = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch {
      return 'must be the service-account JSON itself (its content, not a file path)';
    }
  }
  const o = json as Partial<ServiceAccount> & { type?: string };
  if (typeof o !== 'object' || o === null) return 'must be a service-account JSON object';
  if (o.type !== undefined && o.type !== 'service_account') return `type "${o.type}" is not supported: use a service-account key (type "service_account")`;
  if (typeof o.client_email !== 'string' || typeof o.private_key !== 'string' || !o.private_key.includes('PRIVATE KEY')) {
    return 'must hold client_email and private_key (a PKCS#8 PEM)';
  }
  return {
    client_email: o.client_email,
    private_key: o.private_key,
    private_key_id: o.private_key_id,
    project_id: o.project_id,
    token_uri: typeof o.token_uri === 'string' ? o.token_uri : DEFAULT_TOKEN_URI,
  };
}
