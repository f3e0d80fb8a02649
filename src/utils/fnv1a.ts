/** FNV-1a, 32 bits: a cheap, stable hash of a string (not a secret-grade digest: it names and spreads things). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
