import { isUtf8 } from 'node:buffer';

/**
 * File names are raw bytes on Linux. Most are UTF-8 and become ordinary
 * strings; the rest are shown with their bad bytes escaped as `\xNN` so they
 * can be listed, counted and sized, but they are never matched by a path
 * lookup (the escaped text may well be the real name of another file).
 */
export function isUtf8Name(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** The display form of a raw name: valid UTF-8 sequences as text, every other byte as `\xNN`. */
export function escapeName(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const len = sequenceLength(bytes, i);
    if (len === 0) {
      out += `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += Buffer.from(bytes.buffer, bytes.byteOffset + i, len).toString('utf8');
      i += len;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 if the byte there starts none (RFC 3629). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
