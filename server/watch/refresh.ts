import { isUtf8 } from 'node:buffer';
import { readdir } from 'node:fs/promises';
import type { ScanService } from '../scan/scan-service.js';
import { childCount, childNames, isDir, rescanIsCheap } from './index-view.js';

const join = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);

/**
 * Brings one folder's own listing in line with the disk (an event without a
 * name, a burst, a lost or degraded watch) without walking what lies below
 * its subfolders: those have watches of their own.
 *
 * `rescanSubtree` walks the whole subtree, so it is used only where that is
 * about the folder's own listing (a run folder of checkpoints), or where the
 * listing failed before (it records the error again, or clears it). Anywhere
 * else, the folder is listed here and every name on disk or in the index is
 * re-lstat'ed by `applyPath`. `touched` is how many names the caller knows
 * changed.
 */
export async function refreshFolder(scan: ScanService, absOf: (rel: string) => string, rel: string, touched = 0): Promise<void> {
  const ix = scan.index;
  if (ix === null) return;
  const id = ix.lookup(rel);
  if (!isDir(ix, id)) return scan.applyPath(rel);
  if (ix.errorOf(id) !== undefined || rescanIsCheap(ix, id, Math.max(touched, childCount(ix, id)))) return scan.rescanSubtree(rel);
  let names: Buffer[];
  try {
    names = await readdir(absOf(rel), { encoding: 'buffer' });
  } catch {
    // The listing failed (EACCES, gone…): the scanner's own walk records why.
    return scan.rescanSubtree(rel);
  }
  // A name that is not UTF-8 cannot be addressed by a path: only a walk of the folder reaches it.
  if (names.some((n) => !isUtf8(n))) return scan.rescanSubtree(rel);
  const all = new Set(names.map((n) => n.toString('utf8')));
  // The index may have changed while the folder was listed: look it up again.
  const now = ix.lookup(rel);
  if (isDir(ix, now)) for (const n of childNames(ix, now)) all.add(n);
  await Promise.all([scan.applyPath(rel), ...[...all].map((n) => scan.applyPath(join(rel, n)))]);
}
