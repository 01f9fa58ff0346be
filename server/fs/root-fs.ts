import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, rmdirSync, unlinkSync, type BigIntStats } from 'node:fs';
import { ApiError } from '../errors.js';
import { splitRelPath } from './paths.js';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A path relative to an open folder descriptor; resolving it never follows a link above `name`. */
const at = (dirFd: number, name: string) => `/proc/self/fd/${dirFd}/${name}`;

/** O_NOFOLLOW|O_DIRECTORY on a link says ENOTDIR, not ELOOP: look at what is there to name it right. */
function classify(err: unknown, dirFd: number, name: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ENOTDIR' && code !== 'ELOOP') return err;
  try {
    if (lstatSync(at(dirFd, name)).isSymbolicLink()) return Object.assign(new Error('symlink'), { code: 'ELOOP' });
  } catch {
    // Gone or unreadable: the original error says enough.
  }
  return err;
}

function fsError(err: unknown, rel: string): ApiError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'ENOENT' || code === 'ENOTDIR') return new ApiError(404, 'NOT_FOUND', `no such entry: ${rel}`);
  if (code === 'ELOOP') return new ApiError(409, 'SYMLINK', `a symlink is in the way (links are never followed): ${rel}`);
  if (code === 'EACCES' || code === 'EPERM') return new ApiError(403, 'PERMISSION_DENIED', `permission denied: ${rel}`);
  return new ApiError(500, 'IO_ERROR', `cannot access ${rel} (${code})`);
}

/**
 * The only door to files under the root. Every operation takes a client path,
 * validates it, and walks it one folder descriptor at a time with O_NOFOLLOW,
 * so neither a symlink in the path nor a folder swapped for one mid-way can
 * lead outside the root.
 */
export class RootFs {
  constructor(readonly root: string) {}

  /** Opens the folder at `rel` ("" = root) without following any link; the caller closes the fd. */
  openDir(rel: string): number {
    const segs = splitRelPath(rel);
    let fd: number;
    try {
      fd = openSync(this.root, DIR_FLAGS);
    } catch (err) {
      throw fsError(err, '');
    }
    for (let i = 0; i < segs.length; i++) {
      let next: number;
      try {
        next = openSync(at(fd, segs[i]), DIR_FLAGS);
      } catch (err) {
        const named = classify(err, fd, segs[i]);
        closeSync(fd);
        throw fsError(named, segs.slice(0, i + 1).join('/'));
      }
      closeSync(fd);
      fd = next;
    }
    return fd;
  }

  /** Runs `fn` with the parent folder's descriptor and the entry's name; the root itself has no parent here. */
  withParent<T>(rel: string, fn: (dirFd: number, name: string) => T): T {
    const segs = splitRelPath(rel);
    if (segs.length === 0) throw new ApiError(400, 'INVALID_PATH', 'the checkpoints directory itself cannot be used here');
    const dirFd = this.openDir(segs.slice(0, -1).join('/'));
    try {
      return fn(dirFd, segs[segs.length - 1]);
    } finally {
      closeSync(dirFd);
    }
  }

  /** lstat of an entry (never follows it), reached through descriptors. */
  lstat(rel: string): BigIntStats {
    if (splitRelPath(rel).length === 0) {
      const fd = this.openDir('');
      try {
        return fstatSync(fd, { bigint: true });
      } finally {
        closeSync(fd);
      }
    }
    return this.withParent(rel, (dirFd, name) => {
      try {
        return lstatSync(at(dirFd, name), { bigint: true });
      } catch (err) {
        throw fsError(err, rel);
      }
    });
  }

  /** Opens a regular file for reading; refuses links, folders, devices and FIFOs. */
  openFile(rel: string): { fd: number; stat: BigIntStats } {
    return this.withParent(rel, (dirFd, name) => {
      let fd: number;
      try {
        fd = openSync(at(dirFd, name), FILE_FLAGS);
      } catch (err) {
        throw fsError(classify(err, dirFd, name), rel);
      }
      const stat = fstatSync(fd, { bigint: true });
      if (!stat.isFile()) {
        closeSync(fd);
        throw new ApiError(409, 'NOT_A_FILE', `not a regular file: ${rel}`);
      }
      return { fd, stat };
    });
  }

  /** Reads up to `length` bytes at `position` of a regular file under the root. */
  readRange(rel: string, position: number, length: number): Buffer {
    const { fd } = this.openFile(rel);
    try {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, position);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }

  /** Removes one file or symlink by name inside an open folder (the link itself, never its target). */
  static unlinkAt(dirFd: number, name: string): void {
    unlinkSync(at(dirFd, name));
  }

  /** Removes one empty folder by name inside an open folder. */
  static rmdirAt(dirFd: number, name: string): void {
    rmdirSync(at(dirFd, name));
  }

  /** Opens a child folder of an open folder without following links. */
  static openDirAt(dirFd: number, name: string): number {
    return openSync(at(dirFd, name), DIR_FLAGS);
  }

  /** The same for a name given as raw bytes (names need not be UTF-8). */
  static openDirAtBuffer(dirFd: number, name: Buffer): number {
    return openSync(Buffer.concat([Buffer.from(`/proc/self/fd/${dirFd}/`), name]), DIR_FLAGS);
  }
}
