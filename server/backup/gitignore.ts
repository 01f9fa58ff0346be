// A backup inside a git repository must not end up in a commit (hundreds of
// MB of models): like the seed, `backups/` goes into the project's
// .gitignore. Only the project top is looked at; `.git` may be a folder or,
// for worktrees and submodules, a file.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, writeSync } from 'node:fs';
import { at } from './backups-dir.js';

/** Lines that already keep `backups/` at the project top out of git. */
const IGNORES_BACKUPS = /^\/?backups(\/(\*\*?)?)?$/;
const MAX_GITIGNORE_BYTES = 1024 * 1024;

function readAll(fd: number): string {
  const size = Math.min(fstatSync(fd).size, MAX_GITIGNORE_BYTES);
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got).toString('utf8');
}

/**
 * Appends `backups/` to `<project>/.gitignore` when the project is a git
 * repository and nothing there ignores it yet (the file is created when
 * missing). Returns what happened; a problem is reported, never thrown: the
 * backup itself is fine without it.
 */
export function ignoreBackupsInGit(projectFd: number): 'not-git' | 'already' | 'added' | { problem: string } {
  try {
    lstatSync(at(projectFd, '.git'));
  } catch {
    return 'not-git';
  }
  let fd: number;
  try {
    // O_NOFOLLOW: a .gitignore that is a link is someone else's file to edit.
    fd = openSync(at(projectFd, '.gitignore'), constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    return { problem: `could not add backups/ to .gitignore (${(err as NodeJS.ErrnoException).code})` };
  }
  try {
    if (!fstatSync(fd).isFile()) return { problem: '.gitignore is not a regular file' };
    const text = readAll(fd);
    if (text.split(/\r?\n/).some((l) => IGNORES_BACKUPS.test(l.trim()))) return 'already';
    const line = `${text === '' || text.endsWith('\n') ? '' : '\n'}backups/\n`;
    writeSync(fd, line);
    return 'added';
  } catch (err) {
    return { problem: `could not add backups/ to .gitignore (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  } finally {
    closeSync(fd);
  }
}
