// Secrets at rest: a stored deployment's litellm_params are sealed with AES-GCM under a key derived from the
// companion's LITELLM_SALT_KEY (LiteLLM's name for the key it encrypts stored models with), a fresh IV each time.
import { RouterError } from '../../router/errors';

const utf8 = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyOf(salt: string | undefined): Promise<CryptoKey> {
  if (!salt) throw new RouterError('InternalServerError', 'Models are stored with their secrets encrypted under LITELLM_SALT_KEY: set it on the companion Worker', { code: 'no_salt_key' });
  let key = keys.get(salt);
  if (!key) {
    key = crypto.subtle.digest('SHA-256', utf8.encode(salt)).then((raw) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
    keys.set(salt, key);
  }
  return key;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function seal(value: unknown, salt: string | undefined): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await keyOf(salt), utf8.encode(JSON.stringify(value))));
  return `${b64(iv)}.${b64(sealed)}`;
}

export async function unseal<T>(text: string, salt: string | undefined): Promise<T> {
  const [iv, sealed] = text.split('.');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(iv) }, await keyOf(salt), unb64(sealed));
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}
