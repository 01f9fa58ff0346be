// The state file seen from outside SQLite: whether it is still there, still
// the file that was opened, still a database and still writable (SQLite alone
// keeps writing into a deleted or overwritten file without a word), and its
// contents copied into memory when the server may no longer write it.
import Database from 'better-sqlite3';
import { accessSync, constants, copyFileSync, mkdtempSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { migrate } from './migrations.js';
import type { StoreProblem } from './store.js';

type Db = Database.Database;

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Said of a state file that failed while the server ran: nothing else will fix it. */
export const UNTIL_RESTART = 'ckptdash runs read-only until it is restarted';

/** An empty state database in memory, at the current schema. */
export function emptyDb(): Db {
  const db = new Database(':memory:');
  migrate(db);
  return db;
}

/** An in-memory database from a serialized one, or undefined when that is damaged or too new. */
export function fromImage(image: Buffer): Db | undefined {
  let db: Db | undefined;
  try {
    // Header bytes 18-19 say WAL (2) in a WAL file's image; a database in memory cannot use a log.
    if (image.length >= 100) image[18] = image[19] = 1;
    db = new Database(image);
    if (db.pragma('quick_check', { simple: true }) !== 'ok') throw new Error('damaged');
    migrate(db);
    return db;
  } catch {
    db?.close();
    return undefined;
  }
}

/** What a state file this server cannot write holds, in memory, without writing to it. */
export function copyOf(file: string): Db | undefined {
  return imageOf(file, true) ?? copiedImageOf(file);
}

function imageOf(file: string, readonly: boolean): Db | undefined {
  let src: Db | undefined;
  try {
    src = new Database(file, { readonly, fileMustExist: true, timeout: 250 });
    return fromImage(src.serialize());
  } catch {
    return undefined;
  } finally {
    try {
      src?.close();
    } catch {
      // Nothing to keep: the image is taken or there is none.
    }
  }
}

/**
 * Reading in place fails when SQLite may not create its side files beside a file it cannot
 * write, or when another server holds it: read a private copy of the file and its log
 * instead (a snapshot, checked before use, never written back). Only ever another process's
 * file: a copy closes its descriptor, which would drop this process's own locks on it.
 */
function copiedImageOf(file: string): Db | undefined {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'ckptdash-state-'));
    const copy = join(dir, 'state.sqlite');
    copyFileSync(file, copy);
    try {
      copyFileSync(`${file}-wal`, `${copy}-wal`);
    } catch {
      // No log: the file holds everything.
    }
    return imageOf(copy, false);
  } catch {
    return undefined;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** What is wrong with the state file on disk now, if anything; `fd` is a descriptor of the file as opened. */
export function inspect(file: string, identity: { dev: number; ino: number }, fd: number): StoreProblem | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    return { code: 'STATE_GONE', message: `the state file was deleted while the server ran: ${file}; ${UNTIL_RESTART} (a new, empty state file is made then)` };
  }
  if (st.dev !== identity.dev || st.ino !== identity.ino) {
    return { code: 'STATE_GONE', message: `the state file was replaced by another file while the server ran: ${file}; ${UNTIL_RESTART}, which opens the new one` };
  }
  // The same inode as `fd`'s (checked above), so its header is what is on disk now.
  const head = Buffer.alloc(SQLITE_HEADER.length);
  try {
    readSync(fd, head, 0, head.length, 0);
  } catch (err) {
    return { code: 'STATE_UNAVAILABLE', message: `the state file cannot be read (${(err as Error).message}): ${file}; ${UNTIL_RESTART}` };
  }
  if (!head.equals(SQLITE_HEADER)) {
    return { code: 'STATE_CORRUPT', message: `the state file was overwritten and is not a valid database any more: ${file}; ${UNTIL_RESTART}` };
  }
  const denied = notWritable(file);
  if (denied) return { code: 'STATE_READ_ONLY', message: `the state file cannot be written (${denied.code}): ${denied.path}; ${UNTIL_RESTART}` };
  return undefined;
}

/** The file or its folder (where SQLite keeps its log) that this process may not write, and why. */
export function notWritable(file: string): { path: string; code: string } | undefined {
  for (const path of [file, dirname(file)]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
      // A state file not made yet is created by SQLite (in a writable folder).
      if (code !== 'ENOENT' || path !== file) return { path, code };
    }
  }
  return undefined;
}
