import type { Entry, EntryDetails, EntryKind } from '../../shared/schemas/entry.js';
import { KIND_DIR, KIND_SYMLINK } from './batch.js';
import { F_DUP, F_OTHERFS, STAMPS, S_CTIME, S_INO, S_MTIME } from './columns.js';
import { hashWords, statWords } from './etag.js';
import type { TreeIndex } from './tree-index.js';

/**
 * Supplies tags computed elsewhere (models, rules, user tags) for an entry
 * path; the index adds `hardlink` itself. `annotate` fills in user tags, the
 * note and protection.
 */
export type TagProvider = ((path: string, isDir: boolean) => readonly string[]) & { annotate?: (entry: Entry) => void };

/**
 * `EntryDetails` as far as the index knows it: inode, link count, folders
 * below. References, protection and the checkpoint come from other modules
 * (empty here).
 */
export type IndexEntryDetails = EntryDetails & { inode: number; nlink: number };

const KINDS: readonly EntryKind[] = ['file', 'dir', 'symlink', 'other'];
/** Shown on a folder that is a mount point of another filesystem (listed, not entered, like `du -x`). */
export const OTHER_FS_CODE = 'EXDEV';

/** Tags the index itself knows. */
export function autoTags(ix: TreeIndex, id: number): string[] {
  return (ix.c.flags[id] & F_DUP) !== 0 ? ['hardlink'] : [];
}

export function tagsOfEntry(ix: TreeIndex, id: number, path: string, provider: TagProvider | undefined): string[] {
  const tags = autoTags(ix, id);
  if (provider === undefined) return tags;
  for (const t of provider(path, ix.kind(id) === KIND_DIR)) if (!tags.includes(t)) tags.push(t);
  return tags;
}

/** Materializes one entry as the API shows it. */
export function toEntry(ix: TreeIndex, id: number, path: string, provider?: TagProvider): Entry {
  const c = ix.c;
  const k = ix.kind(id);
  const e: Entry = {
    path,
    name: ix.nameOf(id),
    kind: KINDS[k],
    bytes: c.bytes[id],
    diskBytes: c.disk[id],
    files: c.files[id],
    mtimeMs: c.mtimeMs[id],
    etag: etagOf(ix, id),
    tags: tagsOfEntry(ix, id, path, provider),
    userTags: [],
    protected: false,
  };
  const err = ix.errorOf(id) ?? ((c.flags[id] & F_OTHERFS) !== 0 ? OTHER_FS_CODE : undefined);
  if (err !== undefined) e.error = err;
  if (k === KIND_DIR) e.children = c.children[id];
  if (k === KIND_SYMLINK) {
    const t = ix.targets.get(id);
    if (t !== undefined) e.target = t;
  }
  provider?.annotate?.(e);
  return e;
}

export function toDetails(ix: TreeIndex, id: number, path: string, provider?: TagProvider): IndexEntryDetails {
  const c = ix.c;
  const o = id * STAMPS + S_INO;
  const d: IndexEntryDetails = {
    ...toEntry(ix, id, path, provider),
    references: [],
    protectedBy: [],
    inode: (c.stamps[o + 1] >>> 0) * 4294967296 + (c.stamps[o] >>> 0),
    nlink: c.nlink[id],
  };
  if (ix.kind(id) === KIND_DIR) d.dirs = c.dirs[id];
  return d;
}

/**
 * See etag.ts: a non-folder's etag equals `statEtag(lstat)`; a folder's also
 * covers its totals below.
 */
export function etagOf(ix: TreeIndex, id: number): string {
  const c = ix.c;
  const s = c.stamps;
  const o = id * STAMPS;
  const dir = ix.kind(id) === KIND_DIR;
  const words = statWords(
    ix.devs[c.dev[id]],
    s[o + S_INO],
    s[o + S_INO + 1],
    dir ? 0 : c.bytes[id],
    s[o + S_MTIME],
    s[o + S_MTIME + 1],
    s[o + S_CTIME],
    s[o + S_CTIME + 1],
  );
  if (dir) {
    const ms = Math.floor(c.mtimeMs[id]);
    words.push(...split(c.bytes[id]), ...split(c.disk[id]), c.files[id], c.dirs[id], c.children[id], ...split(ms));
  }
  return hashWords(words);
}

function split(n: number): [number, number] {
  return [n >>> 0, Math.floor(n / 4294967296)];
}
