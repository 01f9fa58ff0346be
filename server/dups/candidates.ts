// Which files of the in-memory index are worth comparing: regular model
// files, one path per inode. Extra names of one inode are the `hardlink`
// tag's business, never `duplicate`: they share storage already.
import { KIND_DIR, KIND_FILE } from '../scan/batch.js';
import { F_BADNAME, STAMPS, S_INO } from '../scan/columns.js';
import { etagOf } from '../scan/entry-view.js';
import { ROOT, type TreeIndex } from '../scan/tree-index.js';

/** Model file extensions (PRODUCT.md, "checkpoint"). */
export const MODEL_EXTENSIONS: readonly string[] = ['.pt', '.pth', '.ckpt', '.bin', '.safetensors'];

/** One file to compare, as the index saw it. */
export interface DupCandidate {
  /** Root-relative POSIX path. */
  path: string;
  bytes: number;
  etag: string;
  dev: number;
  ino: number;
}

/** Which files `candidatesFromIndex` offers. */
export interface CandidateFilter {
  /** Only files at or below this root-relative path ("" or absent: everything). */
  prefix?: string;
  /** Smallest size considered (default and floor 1: empty files are never duplicates). */
  minBytes?: number;
  /** Name endings, lower case (default MODEL_EXTENSIONS). */
  extensions?: readonly string[];
}

/** Identity of an inode across devices, as a map key. */
export const inodeKey = (dev: number, ino: number): string => `${dev}:${ino}`;

/**
 * Regular model files at or below `filter.prefix`, one per inode (the
 * bytewise-first path, as the hard-link charge picks). Names that are not
 * UTF-8 are skipped: they cannot be opened by path. Unknown prefix: none.
 */
export function candidatesFromIndex(ix: TreeIndex, filter: CandidateFilter = {}): DupCandidate[] {
  const start = filter.prefix ? ix.lookup(filter.prefix) : ROOT;
  if (start < 0) return [];
  const minBytes = Math.max(1, filter.minBytes ?? 1);
  const exts = filter.extensions ?? MODEL_EXTENSIONS;
  const c = ix.c;
  const byInode = new Map<string, { id: number; cand: DupCandidate }>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const kind = ix.kind(id);
    if (kind === KIND_DIR) {
      for (let ch = c.first[id]; ch >= 0; ch = c.next[ch]) stack.push(ch);
      continue;
    }
    if (kind !== KIND_FILE || c.err[id] !== 0 || (c.flags[id] & F_BADNAME) !== 0 || c.bytes[id] < minBytes) continue;
    const name = ix.nameOf(id).toLowerCase();
    if (!exts.some((e) => name.endsWith(e))) continue;
    const o = id * STAMPS + S_INO;
    const dev = ix.devs[c.dev[id]];
    const ino = (c.stamps[o + 1] >>> 0) * 4294967296 + (c.stamps[o] >>> 0);
    const k = inodeKey(dev, ino);
    const seen = byInode.get(k);
    if (seen && Buffer.compare(ix.pathBytes(seen.id), ix.pathBytes(id)) <= 0) continue;
    byInode.set(k, { id, cand: { path: ix.pathOf(id), bytes: c.bytes[id], etag: etagOf(ix, id), dev, ino } });
  }
  return [...byInode.values()].map((v) => v.cand);
}
