import Database from 'better-sqlite3';
import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';
import { copyOf, emptyDb, fromImage, inspect, notWritable, UNTIL_RESTART } from './state-file.js';

export { migrate } from './migrations.js';

type Db = Database.Database;

/** One usage sample: the root's totals and its filesystem at `t` (ms). */
export interface HistoryRow {
  t: number;
  bytes: number;
  diskBytes: number;
  fsAvailBytes: number;
  fsTotalBytes: number;
}

/** Why the state file could not be used; the server then runs read-only on an in-memory store. */
export interface StoreProblem {
  code: 'STATE_LOCKED' | 'STATE_CORRUPT' | 'STATE_READ_ONLY' | 'STATE_TOO_NEW' | 'STATE_GONE' | 'STATE_UNAVAILABLE';
  message: string;
}

function describe(err: unknown, file: string): StoreProblem {
  const code = (err as { code?: string }).code ?? '';
  const why = (err as Error).message;
  if (code === 'CKPTDASH_TOO_NEW') return { code: 'STATE_TOO_NEW', message: `${why}: ${file}` };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return { code: 'STATE_LOCKED', message: `the state file is locked by another process (another ckptdash?): ${file}` };
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'CKPTDASH_CORRUPT') {
    // Starting afresh would drop the user's `critical` and `historical` tags, which protect models: never silently.
    return {
      code: 'STATE_CORRUPT',
      message: `the state file is not a valid database (${why}): ${file}; it is left untouched: put back a good copy, or move it aside to start afresh (its user tags and deletion journal are then lost)`,
    };
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return { code: 'STATE_READ_ONLY', message: `the state file cannot be written (${why}): ${file}` };
  }
  return { code: 'STATE_UNAVAILABLE', message: `the state file cannot be used (${why}): ${file}` };
}

/** SQLite state: sessions, user tags, journal, history. */
export class Store {
  private conn: Db;
  private trouble: StoreProblem | undefined;
  /** The state file's identity when opened: another file at its path is not ours. */
  private identity: { dev: number; ino: number } | undefined;
  /** A file connection given up after a failure; see degrade(). */
  private retired: Db | undefined;
  /** A read-only descriptor of the state file, to look at its header (see check()). */
  private headFd: number | undefined;
  private readonly listeners: Array<(p: StoreProblem) => void> = [];

  private constructor(
    db: Db,
    problem?: StoreProblem,
    /** The state file, absent for a store that lives in memory only. */
    readonly file?: string,
  ) {
    this.conn = db;
    this.trouble = problem;
    if (file !== undefined) {
      const st = statSync(file);
      this.identity = { dev: st.dev, ino: st.ino };
      // Held open until close: closing any descriptor of the file would drop every lock this
      // process holds on it (POSIX record locks), SQLite's included.
      this.headFd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    }
  }

  /** The connection in use: the state file's, or the in-memory copy once that file became unusable. */
  get db(): Db {
    return this.conn;
  }

  /** Set when the state file is unusable (at start, or since it failed) and this store lives in memory only. */
  get problem(): StoreProblem | undefined {
    return this.trouble;
  }

  /** Opens (creating and migrating) the state file; on failure falls back to memory and reports why. */
  static open(file: string): Store {
    let db: Db | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // SQLite quietly opens a file it may not write read-only, and every later write would fail.
      const denied = notWritable(file);
      if (denied) throw Object.assign(new Error(`${denied.code} on ${denied.path}`), { code: denied.code });
      db = new Database(file, { timeout: 250 });
      // The file is this server's alone: no other process can lock it out mid-run, a second
      // server on the same state starts read-only (STATE_LOCKED), and WAL keeps its index in
      // memory instead of a mapped -shm file, which kills the process (SIGBUS) when truncated.
      // Set before the first access, or SQLite maps the -shm file anyway.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // A valid header over damaged pages would fail later at random: find out now, before any write.
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw Object.assign(new Error(`integrity check failed: ${String(check)}`), { code: 'CKPTDASH_CORRUPT' });
      migrate(db);
      // Session hashes and the journal are nobody else's business on a shared GPU box.
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        try {
          chmodSync(f, 0o600);
        } catch {
          // The WAL side files may not exist yet; SQLite creates them with the main file's mode.
        }
      }
      return new Store(db, undefined, file);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // The connection is already unusable; the problem is reported below.
      }
      const problem = describe(err, file);
      // A locked or read-only file can still be read: its user tags keep protecting, its journal stays listed.
      const readable = problem.code === 'STATE_LOCKED' || problem.code === 'STATE_READ_ONLY' || problem.code === 'STATE_UNAVAILABLE';
      return new Store((readable && copyOf(file)) || emptyDb(), problem);
    }
  }

  static memory(problem?: StoreProblem): Store {
    return new Store(emptyDb(), problem);
  }

  /** Called once, when the state file fails while the server runs. */
  onProblem(listener: (p: StoreProblem) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Looks at the state file on disk: still there, still the file that was opened, still a
   * database, still writable. SQLite alone would not notice: it keeps writing to a deleted
   * file's inode, or into its log over a file overwritten in place, and an open descriptor
   * ignores a chmod. A failure switches the store to memory for good (see degrade()).
   * Cheap (a stat, a 16-byte read, two access checks): run before every write that matters.
   */
  check(): StoreProblem | undefined {
    if (this.trouble !== undefined || this.file === undefined || this.identity === undefined || this.headFd === undefined) return this.trouble;
    const p = inspect(this.file, this.identity, this.headFd);
    if (p !== undefined) this.degrade(p);
    return this.trouble;
  }

  /** Classifies a failed SQLite call, switches to memory and returns the problem. */
  failed(err: unknown): StoreProblem {
    if (this.trouble !== undefined) return this.trouble;
    const p = describe(err, this.file ?? ':memory:');
    this.degrade({ code: p.code, message: `${p.message}; ${UNTIL_RESTART}` });
    return this.trouble!;
  }

  /**
   * Gives up the state file: later reads and writes go to an in-memory copy of what it held
   * (sessions keep working, the journal stays listed), and the server is read-only from now
   * on, so no deletion or tag lands where it would not last. The file's connection is left
   * open and unused: closing would copy its log into the file, which is what must not be
   * written any more; the process exit drops it and SQLite recovers the log at the next
   * start, as after a crash.
   */
  degrade(problem: StoreProblem): void {
    if (this.trouble !== undefined) return;
    const old = this.conn;
    let image: Buffer | undefined;
    try {
      image = old.serialize();
    } catch {
      // The file could not be read back: what the server keeps in memory (user tags) still holds.
    }
    this.conn = (image && fromImage(image)) || emptyDb();
    this.retired = old;
    this.trouble = problem;
    for (const l of this.listeners) {
      try {
        l(problem);
      } catch {
        // A listener's failure must not stop the switch to memory.
      }
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  // --- login sessions (ids are stored hashed: a leaked state file grants nothing) ---
  addSession(idHash: string, now: number, expiresMs: number): void {
    this.db.prepare('INSERT OR REPLACE INTO sessions (id_hash, created_ms, expires_ms) VALUES (?, ?, ?)').run(idHash, now, expiresMs);
  }

  sessionValid(idHash: string, now: number): boolean {
    const row = this.db.prepare('SELECT expires_ms FROM sessions WHERE id_hash = ?').get(idHash) as
      | { expires_ms: number }
      | undefined;
    return row !== undefined && row.expires_ms > now;
  }

  pruneSessions(now: number): void {
    this.db.prepare('DELETE FROM sessions WHERE expires_ms <= ?').run(now);
  }

  clearSessions(): void {
    this.db.prepare('DELETE FROM sessions').run();
  }

  // --- small settings ---
  getKv(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setKv(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)').run(key, value);
  }

  // --- model reader results, keyed by path and the etag they were read at ---
  getModelCache(path: string): { etag: string; info: string; readMs: number } | undefined {
    return this.db.prepare('SELECT etag, info, read_ms AS readMs FROM model_cache WHERE path = ?').get(path) as
      | { etag: string; info: string; readMs: number }
      | undefined;
  }

  putModelCache(path: string, etag: string, info: string, readMs: number): void {
    this.db.prepare('INSERT OR REPLACE INTO model_cache (path, etag, info, read_ms) VALUES (?, ?, ?, ?)').run(path, etag, info, readMs);
  }

  deleteModelCache(path: string): void {
    this.db.prepare('DELETE FROM model_cache WHERE path = ?').run(path);
  }

  modelCachePaths(): string[] {
    return (this.db.prepare('SELECT path FROM model_cache').pluck().all() as string[]);
  }

  // --- usage history ---
  addHistory(r: HistoryRow): void {
    // Two samples in one millisecond say the same thing: the later one wins.
    this.db
      .prepare('INSERT OR REPLACE INTO history (t_ms, bytes, disk_bytes, fs_avail_bytes, fs_total_bytes) VALUES (?, ?, ?, ?, ?)')
      .run(r.t, r.bytes, r.diskBytes, r.fsAvailBytes, r.fsTotalBytes);
  }

  /** The oldest sample's time, or undefined when there is none. */
  historyStart(): number | undefined {
    return (this.db.prepare('SELECT MIN(t_ms) FROM history').pluck().get() as number | null) ?? undefined;
  }

  /**
   * Samples in [from, to], at most two per `bucketMs` bucket: the smallest and the largest `bytes`,
   * so a save-and-rotate sawtooth keeps its peaks and troughs; the newest sample is always kept.
   */
  historyBetween(from: number, to: number, bucketMs: number): HistoryRow[] {
    return this.db
      .prepare(
        `WITH b AS (SELECT *, CAST((t_ms - @from) / @w AS INTEGER) AS k FROM history WHERE t_ms BETWEEN @from AND @to),
         r AS (SELECT *,
           ROW_NUMBER() OVER (PARTITION BY k ORDER BY bytes ASC, t_ms ASC) AS lo,
           ROW_NUMBER() OVER (PARTITION BY k ORDER BY bytes DESC, t_ms DESC) AS hi,
           MAX(t_ms) OVER () AS last
           FROM b)
         SELECT t_ms AS t, bytes, disk_bytes AS diskBytes, fs_avail_bytes AS fsAvailBytes, fs_total_bytes AS fsTotalBytes
         FROM r WHERE lo = 1 OR hi = 1 OR t_ms = last ORDER BY t_ms`,
      )
      .all({ from, to, w: Math.max(1, Math.floor(bucketMs)) }) as HistoryRow[];
  }

  close(): void {
    this.conn.close();
    // A file that is still ours (locked or read-only, not replaced) is closed cleanly; see degrade().
    if (this.retired && this.trouble?.code !== 'STATE_CORRUPT' && this.trouble?.code !== 'STATE_GONE') {
      try {
        this.retired.close();
      } catch {
        // Its log is recovered at the next start.
      }
    }
    this.retired = undefined;
    if (this.headFd !== undefined) closeSync(this.headFd);
    this.headFd = undefined;
  }
}
