import type { BigIntStats } from 'node:fs';
import { KIND_DIR } from '../scan/batch.js';
import { F_BADNAME, F_OTHERFS, STAMPS, S_INO } from '../scan/columns.js';
import { StatIn } from '../scan/stat-in.js';
import { ROOT, type TreeIndex } from '../scan/tree-index.js';

/** A folder of the index that could hold a watch. */
export interface FolderRef {
  id: number;
  path: string;
  /** The listing error the index recorded (EACCES…), if any. */
  error: string | undefined;
}

/**
 * Every folder of the index, parents before children (so that when the
 * watch limit is hit, the upper folders, where new runs appear, are the
 * ones watched). Other-filesystem mount points are not entered, like the
 * scanner; folders whose name is not UTF-8 are left out with everything
 * below them: paths through them cannot be addressed by `applyPath`.
 */
export function foldersOf(ix: TreeIndex): FolderRef[] {
  const c = ix.c;
  const out: FolderRef[] = [{ id: ROOT, path: '', error: ix.errorOf(ROOT) }];
  for (let i = 0; i < out.length; i++) {
    const { id, path } = out[i];
    // No folder below: its (often many) files need not be looked at.
    if (c.dirs[id] === 0) continue;
    for (let ch = c.first[id]; ch >= 0; ch = c.next[ch]) {
      if (ix.kind(ch) !== KIND_DIR || (c.flags[ch] & (F_OTHERFS | F_BADNAME)) !== 0) continue;
      const name = ix.nameOf(ch);
      out.push({ id: ch, path: path === '' ? name : `${path}/${name}`, error: ix.errorOf(ch) });
    }
  }
  return out;
}

export function inoOf(ix: TreeIndex, id: number): number {
  const o = id * STAMPS + S_INO;
  return (ix.c.stamps[o + 1] >>> 0) * 4294967296 + (ix.c.stamps[o] >>> 0);
}

export function devOf(ix: TreeIndex, id: number): number {
  return ix.devs[ix.c.dev[id]];
}

export function isOtherFs(ix: TreeIndex, id: number): boolean {
  return (ix.c.flags[id] & F_OTHERFS) !== 0;
}

/** Whether a folder's mtime and ctime on disk are the ones the index holds: no name was added or removed since. */
export function sameDirStamps(ix: TreeIndex, id: number, st: BigIntStats): boolean {
  const s = new StatIn().fromStats(st, '', 0).stamps;
  const o = id * STAMPS;
  for (let k = 0; k < 4; k++) if (ix.c.stamps[o + k] !== s[k]) return false;
  return true;
}

/**
 * Whether walking the folder again (`rescanSubtree`, one queued change, one
 * delta) costs about what applying `touched` names one by one would: true
 * when little lies below it beyond its own listing.
 */
export function rescanIsCheap(ix: TreeIndex, id: number, touched: number): boolean {
  return ix.c.files[id] + ix.c.dirs[id] <= 64 + 4 * touched;
}

export function childCount(ix: TreeIndex, id: number): number {
  return ix.c.children[id];
}

/** Display names of a folder's children that a path can address. */
export function childNames(ix: TreeIndex, id: number): string[] {
  const out: string[] = [];
  for (let ch = ix.c.first[id]; ch >= 0; ch = ix.c.next[ch]) if ((ix.c.flags[ch] & F_BADNAME) === 0) out.push(ix.nameOf(ch));
  return out;
}

export function isDir(ix: TreeIndex, id: number): boolean {
  return id >= 0 && ix.kind(id) === KIND_DIR;
}
