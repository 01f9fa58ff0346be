// Where a restored file goes: folders walked one descriptor at a time with
// O_DIRECTORY|O_NOFOLLOW from the root (missing ones created relative to
// their parent's descriptor), the data written to a fresh temp name beside
// the target, and only then renamed into place. A symlink anywhere on the
// way is refused, so nothing is ever written outside the root.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { ApiError } from '../errors.js';
import { RootFs } from '../fs/root-fs.js';
import { at } from './backups-dir.js';

/** Restored models get the mode training code gives them (less the umask); the archive records none. */
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

/** What is at a restore target now. */
export type TargetState = 'absent' | 'file';

function refuse(err: unknown, dirFd: number, name: string, rel: string): ApiError {
  let st;
  try {
    st = lstatSync(at(dirFd, name));
  } catch {
    // Gone: report the original error.
  }
  if (st?.isSymbolicLink()) return new ApiError(409, 'SYMLINK', `${rel} is a symlink; restore never writes through links`);
  if (st && !st.isDirectory()) return new ApiError(409, 'NOT_A_DIR', `${rel} is in the way: not a folder`);
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  return new ApiError(code === 'EACCES' || code === 'EPERM' ? 403 : 500, 'IO_ERROR', `cannot open ${rel} (${code})`);
}

/**
 * Opens the folder `segs` under the root without following links; with
 * `create`, makes missing folders (mkdir on `/proc/self/fd/<parent>/<name>`,
 * then opened with O_NOFOLLOW: a link raced in between is refused). Without
 * `create`, a missing folder gives null. The caller closes the descriptor.
 */
export function openFolder(rootFs: RootFs, segs: readonly string[], create: boolean): number | null {
  let fd = rootFs.openDir('');
  for (let i = 0; i < segs.length; i++) {
    const rel = segs.slice(0, i + 1).join('/');
    let next: number | undefined;
    try {
      next = RootFs.openDirAt(fd, segs[i]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const e = refuse(err, fd, segs[i], rel);
        closeSync(fd);
        throw e;
      }
      if (!create) {
        closeSync(fd);
        return null;
      }
      try {
        mkdirSync(at(fd, segs[i]), DIR_MODE);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          const r = refuse(e, fd, segs[i], rel);
          closeSync(fd);
          throw r;
        }
      }
      try {
        next = RootFs.openDirAt(fd, segs[i]);
      } catch (e) {
        const r = refuse(e, fd, segs[i], rel);
        closeSync(fd);
        throw r;
      }
    }
    closeSync(fd);
    fd = next;
  }
  return fd;
}

/** What is at the target path: nothing, or a regular file; refuses links and folders anywhere on the way. */
export function targetState(rootFs: RootFs, segs: readonly string[]): TargetState {
  const dirFd = openFolder(rootFs, segs.slice(0, -1), false);
  if (dirFd === null) return 'absent';
  const rel = segs.join('/');
  try {
    const st = lstatSync(at(dirFd, segs[segs.length - 1]));
    if (st.isSymbolicLink()) throw new ApiError(409, 'SYMLINK', `${rel} is a symlink; restore never replaces or follows links`);
    if (!st.isFile()) throw new ApiError(409, 'NOT_A_FILE', `${rel} exists and is not a regular file`);
    return 'file';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  } finally {
    closeSync(dirFd);
  }
}

/** A temp file beside the target, open for writing and reading back. */
export interface StagedFile {
  segs: string[];
  tmpName: string;
  fd: number;
}

/** Creates the folders of `segs` and a fresh temp file in the last one (O_EXCL|O_NOFOLLOW). */
export function stage(rootFs: RootFs, segs: string[]): StagedFile {
  const dirFd = openFolder(rootFs, segs.slice(0, -1), true)!;
  try {
    const tmpName = `.ckptdash-restore-${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(at(dirFd, tmpName), constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, FILE_MODE);
    return { segs, tmpName, fd };
  } finally {
    closeSync(dirFd);
  }
}

/** Removes a staged temp file (its folder reopened without following links); quiet if gone. */
export function discard(rootFs: RootFs, s: StagedFile): void {
  try {
    const dirFd = openFolder(rootFs, s.segs.slice(0, -1), false);
    if (dirFd === null) return;
    try {
      unlinkSync(at(dirFd, s.tmpName));
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // The folder or the temp is gone or was replaced: nothing of ours is left to remove there.
  }
}

/**
 * Moves a verified temp file onto its target. Without `overwrite` the target
 * must still be absent: link(2) fails with EEXIST rather than replacing it
 * (check-then-rename where the filesystem has no hard links).
 */
export function place(rootFs: RootFs, s: StagedFile, overwrite: boolean): void {
  const rel = s.segs.join('/');
  const name = s.segs[s.segs.length - 1];
  const dirFd = openFolder(rootFs, s.segs.slice(0, -1), false);
  if (dirFd === null) throw new ApiError(409, 'CHANGED', `the folder of ${rel} went away during the restore`);
  try {
    let st;
    try {
      st = lstatSync(at(dirFd, name));
    } catch {
      // Absent: the plain case.
    }
    if (st?.isSymbolicLink()) throw new ApiError(409, 'SYMLINK', `${rel} became a symlink; not replaced`);
    if (st && !st.isFile()) throw new ApiError(409, 'NOT_A_FILE', `${rel} exists and is not a regular file`);
    if (st && !overwrite) throw new ApiError(409, 'EXISTS', `${rel} exists; confirm overwrite to replace it`, { paths: [rel] });
    if (overwrite) {
      renameSync(at(dirFd, s.tmpName), at(dirFd, name));
      return;
    }
    try {
      linkSync(at(dirFd, s.tmpName), at(dirFd, name));
      unlinkSync(at(dirFd, s.tmpName));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new ApiError(409, 'EXISTS', `${rel} appeared during the restore; confirm overwrite to replace it`, { paths: [rel] });
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw err;
      renameSync(at(dirFd, s.tmpName), at(dirFd, name));
    }
  } finally {
    closeSync(dirFd);
  }
}
