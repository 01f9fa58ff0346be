// Removes one entry through folder descriptors (O_DIRECTORY|O_NOFOLLOW and
// /proc/self/fd/<fd>/<name>), checking every file against the index before
// unlinking it. A folder swapped for a symlink, a file that changed, or
// anything new or protected inside stops the removal where it is.
import { closeSync, fstatSync, lstatSync, readdirSync, rmdirSync, unlinkSync, type BigIntStats } from 'node:fs';
import { RootFs } from '../fs/root-fs.js';
import { KIND_DIR } from '../scan/batch.js';
import { S_INO, STAMPS } from '../scan/columns.js';
import { etagOf } from '../scan/entry-view.js';
import { statEtag } from '../scan/etag.js';
import type { TreeIndex } from '../scan/tree-index.js';

/** What a removal freed so far (from the index's sizes: a hard link frees nothing). */
export interface Removed {
  files: number;
  bytes: number;
  diskBytes: number;
  /** Root-relative paths removed, outermost first, capped for the reply. */
  paths: string[];
}

/** Why a removal stopped part-way. */
export class RemovalStopped extends Error {
  constructor(
    message: string,
    readonly removed: Removed,
    /** The system's error code when the disk refused (EACCES, EPERM…). */
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'RemovalStopped';
  }
}

export interface RemoveContext {
  ix: TreeIndex;
  /** True when the path must not be removed (protected now). */
  isProtected(path: string): boolean;
  signal?: AbortSignal;
}

const PATHS_SHOWN = 200;

const at = (fd: number, name: Buffer) => Buffer.concat([Buffer.from(`/proc/self/fd/${fd}/`), name]);

/** The index's inode of an entry (as the etag stamps hold it). */
function indexIno(ix: TreeIndex, id: number): bigint {
  const o = id * STAMPS + S_INO;
  return (BigInt(ix.c.stamps[o + 1] >>> 0) << 32n) | BigInt(ix.c.stamps[o] >>> 0);
}

/** True when what lstat/fstat sees now is the entry the index knows. */
export function sameEntry(ix: TreeIndex, id: number, st: BigIntStats): boolean {
  if (ix.kind(id) === KIND_DIR) return st.isDirectory() && st.ino === indexIno(ix, id) && Number(st.dev) === ix.devs[ix.c.dev[id]];
  return statEtag(st) === etagOf(ix, id);
}

/**
 * Removes `name` inside the open folder `parentFd`; `id` is its index entry and
 * `path` its root-relative path. Throws RemovalStopped when it had to stop.
 */
export function removeEntry(ctx: RemoveContext, parentFd: number, name: string, id: number, path: string): Removed {
  const removed: Removed = { files: 0, bytes: 0, diskBytes: 0, paths: [] };
  removeAt(ctx, parentFd, Buffer.from(name), id, path, removed);
  return removed;
}

function stop(message: string, removed: Removed, errno?: string): never {
  throw new RemovalStopped(message, removed, errno);
}

function removeAt(ctx: RemoveContext, parentFd: number, name: Buffer, id: number, path: string, removed: Removed): void {
  const { ix } = ctx;
  if (ctx.signal?.aborted) stop('cancelled', removed);
  if (ctx.isProtected(path)) stop(`${path} is protected`, removed);
  let st: BigIntStats;
  try {
    st = lstatSync(at(parentFd, name), { bigint: true });
  } catch (err) {
    stop(`${path} could not be examined (${(err as NodeJS.ErrnoException).code ?? 'error'})`, removed);
  }
  if (!sameEntry(ix, id, st)) stop(`${path} changed since it was scanned`, removed);

  if (ix.kind(id) !== KIND_DIR) {
    // A symlink is removed as a link: unlink never follows the last component.
    try {
      unlinkSync(at(parentFd, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      stop(`${path} could not be removed (${code ?? 'error'})`, removed, code);
    }
    // Another name still holds the data: the disk space stays in use.
    count(ix, id, path, removed, true, st.nlink > 1n);
    return;
  }

  const fd = openDirBuffer(parentFd, name, path, removed);
  try {
    // The folder opened must be the one lstat saw (it could have been swapped in between).
    if (!sameEntry(ix, id, fstatSync(fd, { bigint: true }))) stop(`${path} was replaced while being deleted`, removed);
    const names = readdirSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' });
    for (const child of names) {
      const childPath = `${path}/${child.toString()}`;
      const childId = ix.findChild(id, child, 0, child.length);
      if (childId < 0) stop(`${childPath} appeared inside while deleting`, removed);
      removeAt(ctx, fd, child, childId, childPath, removed);
    }
  } finally {
    closeSync(fd);
  }
  try {
    rmdirSync(at(parentFd, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    stop(`${path} could not be removed (${code ?? 'error'}${code === 'ENOTEMPTY' ? ': something new inside' : ''})`, removed, code);
  }
  count(ix, id, path, removed, false);
}

function openDirBuffer(parentFd: number, name: Buffer, path: string, removed: Removed): number {
  try {
    return RootFs.openDirAtBuffer(parentFd, name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') stop(`${path} was swapped for a link while being deleted`, removed);
    // The code lets the caller tell a folder it may not read (403) from one that changed (409).
    stop(`${path} could not be opened (${code ?? 'error'})`, removed, code);
  }
}

function count(ix: TreeIndex, id: number, path: string, removed: Removed, file = true, stillLinked = false): void {
  if (file) {
    removed.files += ix.kind(id) === KIND_DIR ? 0 : ix.c.files[id];
    if (!stillLinked) {
      removed.bytes += ix.c.bytes[id];
      removed.diskBytes += ix.c.disk[id];
    }
  }
  if (removed.paths.length < PATHS_SHOWN) removed.paths.push(path);
}
