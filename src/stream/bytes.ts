// Byte helpers for reading SSE without decoding it.
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const OPEN = 123;
export const CLOSE = 125;
export const QUOTE = 34;
export const BACKSLASH = 92;

export const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function startsWith(b: Uint8Array, at: number, needle: Uint8Array): boolean {
  if (at + needle.length > b.length) return false;
  for (let k = 0; k < needle.length; k++) if (b[at + k] !== needle[k]) return false;
  return true;
}
