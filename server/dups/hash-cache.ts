// Content hashes kept across runs and restarts, keyed by (path, etag): an
// unchanged file is never read twice. Like the model cache, the state file
// is a cache here, not a source of truth: when it cannot be written, hashes
// live in memory.
import type { Statement } from 'better-sqlite3';
import type { Store } from '../store/store.js';
import { HASH_SCHEME, type FileHashes } from './hash-file.js';

/** Where the duplicates finder keeps hashes between runs. */
export interface HashCache {
  /** The hashes of `path` if they were taken at exactly this etag. */
  get(path: string, etag: string): FileHashes | undefined;
  /** Records hashes for `path` at `etag`; a full hash already known for the same etag is kept. */
  put(path: string, etag: string, partial: string, full?: string): void;
  /** Forgets every path `keep` rejects; returns how many were forgotten. */
  prune(keep: (path: string) => boolean): number;
}

interface Row {
  etag: string;
  partial: string;
  full: string | null;
}

// A row of another hash definition is a miss, not a wrong answer.
const key = (etag: string) => `${HASH_SCHEME}:${etag}`;

/** A cache in memory only (tests, benchmarks, and the fallback of the store-backed one). */
export class MemoryHashCache implements HashCache {
  readonly rows = new Map<string, { etag: string; hashes: FileHashes }>();

  get(path: string, etag: string): FileHashes | undefined {
    const r = this.rows.get(path);
    return r && r.etag === etag ? { ...r.hashes } : undefined;
  }

  put(path: string, etag: string, partial: string, full?: string): void {
    const old = this.rows.get(path);
    const keepFull = full ?? (old?.etag === etag ? old.hashes.full : undefined);
    this.rows.set(path, { etag, hashes: keepFull === undefined ? { partial } : { partial, full: keepFull } });
  }

  prune(keep: (path: string) => boolean): number {
    let n = 0;
    for (const p of [...this.rows.keys()]) {
      if (!keep(p)) {
        this.rows.delete(p);
        n++;
      }
    }
    return n;
  }
}

/** The `hash_cache` table of the state store (migration 4), through the store's database handle. */
export class StoreHashCache implements HashCache {
  private readonly memory = new MemoryHashCache();
  /** Set once the store failed: from then on hashes are kept in memory only. */
  private failed = false;
  private readonly sel: Statement<[string], Row>;
  private readonly ins: Statement<[string, string, string, string | null]>;

  /** The connection the statements belong to: once the store moved to memory, they write nowhere that lasts. */
  private readonly conn: Store['db'];

  constructor(private readonly store: Store) {
    const db = store.db;
    this.conn = db;
    this.sel = db.prepare<[string], Row>('SELECT etag, partial, full FROM hash_cache WHERE path = ?');
    this.ins = db.prepare(
      `INSERT INTO hash_cache (path, etag, partial, full) VALUES (?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET
         full = CASE WHEN etag = excluded.etag THEN COALESCE(excluded.full, full) ELSE excluded.full END,
         etag = excluded.etag, partial = excluded.partial`,
    );
  }

  get persistent(): boolean {
    if (!this.failed && this.store.db !== this.conn) this.failed = true;
    return !this.failed;
  }

  get(path: string, etag: string): FileHashes | undefined {
    if (!this.persistent) return this.memory.get(path, etag);
    try {
      const r = this.sel.get(path);
      if (!r || r.etag !== key(etag)) return undefined;
      return r.full === null ? { partial: r.partial } : { partial: r.partial, full: r.full };
    } catch {
      // An unreadable cache is an empty one: the file is hashed again.
      return undefined;
    }
  }

  put(path: string, etag: string, partial: string, full?: string): void {
    if (this.persistent) {
      try {
        this.ins.run(path, key(etag), partial, full ?? null);
        return;
      } catch {
        // Disk full or locked state file: keep going in memory rather than failing the job.
        this.failed = true;
      }
    }
    this.memory.put(path, etag, partial, full);
  }

  prune(keep: (path: string) => boolean): number {
    let n = this.memory.prune(keep);
    if (!this.persistent) return n;
    try {
      const db = this.store.db;
      const paths = db.prepare('SELECT path FROM hash_cache').pluck().all() as string[];
      const del = db.prepare('DELETE FROM hash_cache WHERE path = ?');
      db.transaction(() => {
        for (const p of paths) if (!keep(p)) n += del.run(p).changes;
      })();
    } catch {
      // Stale rows only cost space: their etags no longer match anything.
    }
    return n;
  }
}
