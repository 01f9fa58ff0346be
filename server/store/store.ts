import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

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
  code: 'STATE_LOCKED' | 'STATE_CORRUPT' | 'STATE_READ_ONLY' | 'STATE_TOO_NEW' | 'STATE_UNAVAILABLE';
  message: string;
}

/** Applies the migrations a database lacks, each in its own transaction. */
export function migrate(db: Db, upTo = SCHEMA_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw Object.assign(new Error(`state file has schema version ${current}, newer than this ckptdash (${SCHEMA_VERSION})`), {
      code: 'CKPTDASH_TOO_NEW',
    });
  }
  for (let v = current; v < upTo; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return Math.max(current, upTo);
}

function describe(err: unknown, file: string): StoreProblem {
  const code = (err as { code?: string }).code ?? '';
  const why = (err as Error).message;
  if (code === 'CKPTDASH_TOO_NEW') return { code: 'STATE_TOO_NEW', message: `${why}: ${file}` };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return { code: 'STATE_LOCKED', message: `the state file is locked by another process (another ckptdash?): ${file}` };
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return { code: 'STATE_CORRUPT', message: `the state file is not a valid database (${why}): ${file}` };
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS') {
    return { code: 'STATE_READ_ONLY', message: `the state file cannot be written (${why}): ${file}` };
  }
  return { code: 'STATE_UNAVAILABLE', message: `the state file cannot be used (${why}): ${file}` };
}

/** SQLite state: sessions, user tags, journal, history. */
export class Store {
  private constructor(
    readonly db: Db,
    /** Set when the state file was unusable and this store lives in memory only. */
    readonly problem?: StoreProblem,
  ) {}

  /** Opens (creating and migrating) the state file; on failure falls back to memory and reports why. */
  static open(file: string): Store {
    let db: Db | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      db = new Database(file, { timeout: 250 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      // Session hashes and the journal are nobody else's business on a shared GPU box.
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        try {
          chmodSync(f, 0o600);
        } catch {
          // The WAL side files may not exist yet; SQLite creates them with the main file's mode.
        }
      }
      return new Store(db);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // The connection is already unusable; the problem is reported below.
      }
      return Store.memory(describe(err, file));
    }
  }

  static memory(problem?: StoreProblem): Store {
    const db = new Database(':memory:');
    migrate(db);
    return new Store(db, problem);
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
    this.db.close();
  }
}
