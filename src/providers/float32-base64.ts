/** OpenAI's base64 embedding encoding: the little-endian float32 bytes (the OpenAI SDKs ask for it by default). */
export function float32Base64(vector: number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((x, i) => view.setFloat32(i * 4, x, true));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
