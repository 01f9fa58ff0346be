// Reader results kept across restarts, keyed by (path, etag): an unchanged
// checkpoint is never read twice. The state file is a cache here, not a
// source of truth: when it cannot be written, results live in memory.
import type { CheckpointInfo } from '../models/index.js';
import type { Store } from '../store/store.js';

// Bump when the readers learn something new: older stored results then miss and are read again.
const READER_VERSION = 1;

/** A stored result and when it was read. */
export interface CachedRead {
  info: CheckpointInfo;
  readMs: number;
}

const key = (etag: string) => `${READER_VERSION}:${etag}`;

function parse(text: string): CheckpointInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<CheckpointInfo> | null;
    // A row from a damaged or hand-edited file is a miss, never a crash.
    if (!v || typeof v.format !== 'string' || typeof v.integrity?.status !== 'string' || typeof v.metrics !== 'object') return undefined;
    return { dtypes: [], scalars: {}, globals: [], unsafe: false, ...v } as CheckpointInfo;
  } catch {
    return undefined;
  }
}

export class ModelCache {
  private readonly memory = new Map<string, { etag: string; read: CachedRead }>();
  /** Set once the store failed: from then on results are kept in memory only. */
  private storeFailed = false;

  constructor(private readonly store: Store | undefined) {}

  get persistent(): boolean {
    return this.store !== undefined && !this.storeFailed;
  }

  get(path: string, etag: string): CachedRead | undefined {
    const mem = this.memory.get(path);
    if (mem) return mem.etag === etag ? mem.read : undefined;
    if (!this.persistent) return undefined;
    try {
      const row = this.store!.getModelCache(path);
      if (!row || row.etag !== key(etag)) return undefined;
      const info = parse(row.info);
      return info ? { info, readMs: row.readMs } : undefined;
    } catch {
      // An unreadable cache is an empty one: the checkpoint is read again.
      return undefined;
    }
  }

  put(path: string, etag: string, read: CachedRead): void {
    if (this.persistent) {
      try {
        this.store!.putModelCache(path, key(etag), JSON.stringify(read.info), Math.round(read.readMs));
        this.memory.delete(path);
        return;
      } catch {
        // Disk full, a read-only state file: keep working from memory (a restart reads again).
        this.storeFailed = true;
      }
    }
    this.memory.set(path, { etag, read });
  }

  delete(path: string): void {
    this.memory.delete(path);
    if (!this.persistent) return;
    try {
      this.store!.deleteModelCache(path);
    } catch {
      // A stale row is harmless: its etag will not match a new file at that path.
    }
  }

  /** Drops stored results of checkpoints that no longer exist (deleted while the server was off). */
  prune(keep: (path: string) => boolean): void {
    for (const p of [...this.memory.keys()]) if (!keep(p)) this.memory.delete(p);
    if (!this.persistent) return;
    try {
      for (const p of this.store!.modelCachePaths()) if (!keep(p)) this.store!.deleteModelCache(p);
    } catch {
      // Pruning only saves space.
    }
  }
}
