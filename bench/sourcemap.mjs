// Just enough of the source map format (v3) to say which source file and line a position of the
// bundle came from: the profile of a minified Worker is unreadable without it.
const B64 = Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** Decodes one segment's base64 VLQ fields. */
function vlq(segment) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64[ch];
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * @param {{ sources: string[], mappings: string }} map
 * @returns {(line: number, column: number) => { source: string, line: number } | undefined} 0-based in, 1-based line out
 */
export function originalPositionFor(map) {
  const lines = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const text of map.mappings.split(';')) {
    const segments = [];
    let col = 0;
    for (const seg of text ? text.split(',') : []) {
      const f = vlq(seg);
      col += f[0];
      if (f.length >= 4) {
        src += f[1];
        srcLine += f[2];
        srcCol += f[3];
        segments.push([col, src, srcLine]);
      }
    }
    lines.push(segments);
  }
  const sources = map.sources.map((s) => s.replace(/^(\.\.\/)+/, ''));
  return (line, column) => {
    const segs = lines[line];
    if (!segs?.length) return undefined;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid][0] <= column) lo = mid;
      else hi = mid - 1;
    }
    const s = segs[lo];
    return { source: sources[s[1]], line: s[2] + 1 };
  };
}
