// Leak detection for tests: a secret in every form it could travel in, and everything the gateway logged.
import { vi } from 'vitest';

/** The secret, its URL-encoded and base64 forms, and long fragments (a key cut by a truncation leaks its head). */
export function leakForms(secret: string): string[] {
  const b64 = btoa(secret).replace(/=+$/, '');
  const forms = [secret, encodeURIComponent(secret), encodeURIComponent(secret).toLowerCase(), b64, b64.replace(/\+/g, '-').replace(/\//g, '_')];
  // The secret's base64 inside Basic auth's base64("user:secret"), whatever the user's length.
  for (const prefix of ['u:', 'us:', 'use:']) forms.push(btoa(prefix + secret).slice(8, -4));
  const cut = Math.ceil(secret.length * 0.6);
  forms.push(secret.slice(0, cut), secret.slice(-cut));
  return forms;
}

/** Fails with where a secret (in any form) appears in text. */
export function findLeaks(text: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) for (const f of leakForms(s)) if (f.length >= 8 && text.includes(f)) found.push(`${JSON.stringify(f)} (of ${s.slice(0, 6)}...)`);
  return found;
}

/** Captures every console line written while it is on. */
export function captureLogs() {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
  );
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) };
}

/** A response as the client sees it: status line, headers and body. */
export async function clientView(res: Response): Promise<string> {
  return `${res.status}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${await res.text()}`;
}
