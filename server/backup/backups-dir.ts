// The `<project>/backups` folder, reached through descriptors: opened without
// following a link (a `backups` symlink planted by someone else could point
// the archive anywhere, even into the checkpoints tree), created when
// missing, and re-checked against the root every time.
import { closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, realpathSync, renameSync, unlinkSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ApiError } from '../errors.js';
import { archiveName, isPartialName, PARTIAL_SUFFIX } from './names.js';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** The folder is the user's own: nobody else needs to list it. */
const DIR_MODE = 0o700;
/**
 * Archives are created 0600: they gather models from folders whose own
 * permissions may have kept other users of a shared GPU box out; the
 * backup must not be the way around them. The user can widen it.
 */
export const ARCHIVE_MODE = 0o600;
/** An unfinished archive untouched this long belongs to a backup that died (a live one writes every second). */
export const STALE_PARTIAL_MS = 3_600_000;
const MAX_SUFFIX = 1000;

export const at = (dirFd: number, name: string) => `/proc/self/fd/${dirFd}/${name}`;
export const BACKUPS_FOLDER = 'backups';

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const insideRoot = (path: string) => new ApiError(409, 'BACKUPS_INSIDE_ROOT', `the backups folder ${path} is inside the checkpoints directory: choose another project folder`);

/** The project folder itself (its path is the config's real path: a link there is refused). The caller closes it. */
export function openProject(project: string): number {
  try {
    return openSync(project, DIR_FLAGS);
  } catch (err) {
    throw new ApiError(409, 'NO_PROJECT', `cannot open the project folder ${project} (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** Why `backups` could not be opened as a folder: a link and a file get their own codes. */
function refusal(projectFd: number, err: unknown): ApiError {
  let st;
  try {
    st = lstatSync(at(projectFd, BACKUPS_FOLDER));
  } catch {
    // Gone again: the original error says enough.
  }
  if (st?.isSymbolicLink()) return new ApiError(409, 'SYMLINK', 'the backups folder is a symlink; links are never followed: replace it with a real folder');
  if (st && !st.isDirectory()) return new ApiError(409, 'NOT_A_DIR', 'the backups folder is not a folder');
  return new ApiError(500, 'IO_ERROR', `cannot open the backups folder (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
}

/**
 * Opens `<project>/backups` without following links; creates it when `create`
 * is set (else returns null when missing). Refuses a folder that turns out to
 * be inside the checkpoints root. The caller closes the descriptor.
 */
export function openBackupsDir(project: string, root: string, create: boolean): number | null {
  const projectFd = openProject(project);
  try {
    // Checked before anything is created: a mkdir inside the root would already be a change to it.
    const rootReal = realpathSync(root);
    if (isInside(rootReal, join(readlinkSync(`/proc/self/fd/${projectFd}`), BACKUPS_FOLDER))) throw insideRoot(join(project, BACKUPS_FOLDER));
    let fd: number;
    try {
      fd = openSync(at(projectFd, BACKUPS_FOLDER), DIR_FLAGS);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw refusal(projectFd, err);
      if (!create) return null;
      try {
        mkdirSync(at(projectFd, BACKUPS_FOLDER), DIR_MODE);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw refusal(projectFd, e);
      }
      try {
        fd = openSync(at(projectFd, BACKUPS_FOLDER), DIR_FLAGS);
      } catch (e) {
        throw refusal(projectFd, e);
      }
    }
    // The config refused this at start; the folder may have been replaced since.
    const real = readlinkSync(`/proc/self/fd/${fd}`);
    if (isInside(rootReal, real)) {
      closeSync(fd);
      throw insideRoot(real);
    }
    return fd;
  } finally {
    closeSync(projectFd);
  }
}

/** True when `name` exists in the folder (as anything, links included). */
export function existsAt(dirFd: number, name: string): boolean {
  try {
    lstatSync(at(dirFd, name));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Creates the `.partial` of the first free archive name of the day: neither
 * the archive nor its `.partial` may exist. O_EXCL|O_NOFOLLOW: never an
 * existing file, never through a link. O_RDWR rather than O_WRONLY so the
 * read-back reads this very file through the same descriptor, not whatever
 * the name points at by then.
 */
export function createPartial(dirFd: number, now: number): { fd: number; name: string; n: number } {
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const final = archiveName(now, n);
    if (existsAt(dirFd, final)) continue;
    const name = final + PARTIAL_SUFFIX;
    try {
      const fd = openSync(at(dirFd, name), constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, ARCHIVE_MODE);
      return { fd, name, n };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
  }
  throw new ApiError(409, 'TOO_MANY_BACKUPS', `more than ${MAX_SUFFIX} backups today`);
}

/**
 * Gives the finished `.partial` its final name without ever replacing a file:
 * link(2) fails with EEXIST when the name appeared meanwhile, and the next
 * suffix is tried. Filesystems without hard links get a check-then-rename
 * (the one window left: another writer creating that exact name in between).
 * Starts at the suffix the `.partial` was given.
 */
export function publishPartial(dirFd: number, partial: { name: string; n: number }, now: number): string {
  for (let n = partial.n; n <= MAX_SUFFIX; n++) {
    const final = archiveName(now, n);
    try {
      linkSync(at(dirFd, partial.name), at(dirFd, final));
      unlinkSync(at(dirFd, partial.name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw err;
      if (existsAt(dirFd, final)) continue;
      renameSync(at(dirFd, partial.name), at(dirFd, final));
    }
    fsyncSync(dirFd);
    return final;
  }
  throw new ApiError(409, 'TOO_MANY_BACKUPS', `more than ${MAX_SUFFIX} backups today`);
}

/** Removes a name from the folder if it is there (cleanup after a failure: nothing to report if gone). */
export function removeQuietly(dirFd: number, name: string): void {
  try {
    unlinkSync(at(dirFd, name));
  } catch {
    // Already gone, or never created: nothing is left behind either way.
  }
}

/**
 * Removes our `.partial` archives not written to for `olderThanMs`: what a
 * backup killed mid-way (SIGKILL, power loss) left. Called before each
 * backup, and by the app at start. Returns the names removed.
 */
export function removeStalePartials(project: string, root: string, now = Date.now(), olderThanMs = STALE_PARTIAL_MS): string[] {
  const fd = openBackupsDir(project, root, false);
  if (fd === null) return [];
  try {
    return removeStalePartialsAt(fd, now, olderThanMs);
  } finally {
    closeSync(fd);
  }
}

/** The same inside an open backups folder. */
export function removeStalePartialsAt(fd: number, now = Date.now(), olderThanMs = STALE_PARTIAL_MS): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(`/proc/self/fd/${fd}`)) {
    if (!isPartialName(name)) continue;
    try {
      const st = lstatSync(at(fd, name));
      if (!st.isFile() || now - st.mtimeMs < olderThanMs) continue;
      unlinkSync(at(fd, name));
      removed.push(name);
    } catch {
      // Gone meanwhile (another cleanup): nothing to remove.
    }
  }
  return removed;
}
