// SHA-256 on WebCrypto, as hex (async; src/utils/sha256.ts is the synchronous one the config load needs).
const encoder = new TextEncoder();

export const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** The hex SHA-256 of a string's UTF-8 bytes, or of bytes. */
export const digestHex = async (data: string | ArrayBuffer) =>
  hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data));
