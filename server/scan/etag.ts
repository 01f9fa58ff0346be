import type { BigIntStats } from 'node:fs';

/**
 * Etag: an opaque 14-character hash of what identifies an entry and its
 * content state: dev, inode, size, mtime ns and ctime ns. A rewrite, a
 * truncate, a chmod or a replacement by another file all change it. Hashing
 * (rather than joining the numbers) keeps it short; a 64-bit collision for
 * the same path before and after a change is not a practical concern.
 *
 * A folder's etag also folds in its totals below (bytes, disk bytes, files,
 * newest mtime), so "the folder I approved" still means the same contents.
 * `statEtag` reproduces a file's etag from a fresh lstat (bigint) without the
 * index; for folders only the index can compute it.
 */
export function hashWords(words: ArrayLike<number>): string {
  let h1 = 0x9e3779b9 | 0;
  let h2 = 0x85ebca6b | 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] | 0;
    h1 = Math.imul(rotl(h1 ^ w, 13), 0xcc9e2d51) + 0x6b43a9b5;
    h2 = Math.imul(rotl(h2 ^ w, 17), 0x1b873593) ^ h1;
  }
  return hex36(fmix(h1 ^ words.length)) + hex36(fmix(h2 ^ h1));
}

/** Etag words of a stat: dev (lo, hi), ino, size, mtime ns, ctime ns, each as two 32-bit halves. */
export function statWords(
  dev: number,
  inoLo: number,
  inoHi: number,
  size: number,
  mtLo: number,
  mtHi: number,
  ctLo: number,
  ctHi: number,
): number[] {
  return [dev >>> 0, Math.floor(dev / 0x1_0000_0000), inoLo, inoHi, size >>> 0, Math.floor(size / 0x1_0000_0000), mtLo, mtHi, ctLo, ctHi];
}

/** The etag the index gives a non-folder entry, computed from a fresh `lstat(p, { bigint: true })`. */
export function statEtag(st: BigIntStats): string {
  const [inoLo, inoHi] = split64(st.ino);
  const [mtLo, mtHi] = split64(st.mtimeNs);
  const [ctLo, ctHi] = split64(st.ctimeNs);
  return hashWords(statWords(Number(st.dev), inoLo, inoHi, Number(st.size), mtLo, mtHi, ctLo, ctHi));
}

/** A 64-bit value as [low 32 bits unsigned, high 32 bits signed], as the index stores it. */
export function split64(v: bigint): [number, number] {
  return [Number(BigInt.asUintN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex36(n: number): string {
  return n.toString(36).padStart(7, '0');
}
