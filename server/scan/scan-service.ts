import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { TreePage } from '../../shared/schemas/api.js';
import type { ServerEvent } from '../../shared/schemas/events.js';
import { F_DUP, F_FRESH, F_LIVE } from './columns.js';
import { compileIgnore } from './ignore.js';
import { applyPath, rescanSubtree, type IncrementalContext } from './incremental.js';
import { toDetails, toEntry, type IndexEntryDetails, type TagProvider } from './entry-view.js';
import { listFolder, type ListQuery } from './listing.js';
import { StatIn } from './stat-in.js';
import { ROOT, TreeIndex } from './tree-index.js';
import { walkInto, type WalkSettings } from './walk-into.js';
import type { WalkPool } from './walk-pool.js';

export interface ScanOptions {
  /** Globs on names or relative paths to skip (see ignore.ts). */
  ignore?: readonly string[];
  /** Walker threads for full scans; default 2. */
  workers?: number;
  /** Tags computed elsewhere, merged into every entry's `tags` and usable as a list filter. */
  tagsOf?: TagProvider;
  /** Minimum time between two `scan` progress events; default 250 ms. */
  progressMs?: number;
  /** A change touching more entries than this is announced as a `reset`; default 10,000. */
  maxDelta?: number;
  /** Entries a rescan may list on the main thread before using workers; default 2,000. */
  syncBudget?: number;
  batchSize?: number;
}

export type ScanEvent = Extract<ServerEvent, { type: 'scan' }>;
export type TreeEvent = Extract<ServerEvent, { type: 'tree' }>;
export type ResetEvent = Extract<ServerEvent, { type: 'reset' }>;

export interface ScanServiceEvents {
  scan: [ScanEvent];
  tree: [TreeEvent];
  reset: [ResetEvent];
}

/** Scan facts for `GET /api/summary`. */
export interface ScanSummary {
  state: 'scanning' | 'ready';
  /** Entries under the root (the root itself not counted). */
  entries: number;
  files: number;
  dirs: number;
  bytes: number;
  diskBytes: number;
  errors: number;
  startedAt?: number;
  finishedAt?: number;
  /** Set once the root path no longer leads to the folder being scanned (deleted, moved, replaced). */
  rootError?: string;
}

function indexTagTotals(ix: TreeIndex): Record<string, { count: number; bytes: number }> {
  const c = ix.c;
  let count = 0;
  let bytes = 0;
  for (let id = 0; id < c.top; id++) {
    if ((c.flags[id] & (F_LIVE | F_DUP)) === (F_LIVE | F_DUP)) {
      count++;
      bytes += c.bytes[id];
    }
  }
  return count > 0 ? { hardlink: { count, bytes } } : {};
}

/** Runs a generator's steps with the event loop free between them, until `stop()` says so. */
async function inSlices(steps: Generator<void>, stop: () => boolean): Promise<void> {
  for (const _ of steps) {
    await new Promise<void>((r) => setImmediate(r));
    if (stop()) return;
  }
}

/**
 * Owns the index and its walkers. `start()` returns at once and the scan
 * streams in (progress as `scan` events); afterwards the watcher calls
 * `applyPath`/`rescanSubtree`, which run one at a time, bump `version` and
 * emit a `tree` delta (or a `reset` when too big to be worth patching).
 */
export class ScanService extends EventEmitter<ScanServiceEvents> {
  private ix: TreeIndex | null = null;
  private ctx: IncrementalContext | null = null;
  private state: 'idle' | 'scanning' | 'ready' | 'closed' = 'idle';
  private versionNo = 0;
  private startedAt: number | undefined;
  private finishedAt: number | undefined;
  private rootProblem: string | undefined;
  /** The scanned root's identity; the birth time tells a folder made again from the one it replaced (inodes are reused). */
  private rootId: { dev: bigint; ino: bigint; birthNs: bigint } | undefined;
  private lastProgress = 0;
  private readonly pools = new Set<WalkPool>();
  private queue: Promise<unknown>;
  private housekeeping: Promise<void> = Promise.resolve();
  private contentNo = 0;
  private tagCache: { version: number; totals: Record<string, { count: number; bytes: number }> } | undefined;
  private readonly readyPromise: Promise<void>;
  private settle!: (e?: Error) => void;
  private readonly o: Required<Omit<ScanOptions, 'tagsOf' | 'batchSize'>> & Pick<ScanOptions, 'tagsOf' | 'batchSize'>;

  constructor(
    readonly root: string,
    options: ScanOptions = {},
  ) {
    super();
    this.o = {
      ignore: options.ignore ?? [],
      workers: options.workers ?? 2,
      progressMs: options.progressMs ?? 250,
      maxDelta: options.maxDelta ?? 10_000,
      syncBudget: options.syncBudget ?? 2_000,
      tagsOf: options.tagsOf,
      batchSize: options.batchSize,
    };
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.settle = (e) => (e ? reject(e) : resolve());
    });
    // Nobody may be awaiting ready() when a scan fails or is closed.
    this.readyPromise.catch(() => {});
    this.queue = this.readyPromise;
  }

  get version(): number {
    return this.versionNo;
  }

  /** Bumps when the files changed, not when entries are only announced again (touch). */
  get contentVersion(): number {
    return this.contentNo;
  }

  /** Starts the full scan in the background; later calls do nothing. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'scanning';
    this.startedAt = Date.now();
    this.initialScan().then(
      () => this.settle(),
      (e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        if (this.state !== 'closed') {
          this.noteRootProblem(
            code === 'ENOENT'
              ? 'The checkpoints folder was deleted or moved away before it could be scanned. Restart ckptdash once it is back.'
              : `The checkpoints folder cannot be scanned (${code ?? (e as Error).message}).`,
          );
        }
        this.settle(e instanceof Error ? e : new Error(String(e)));
      },
    );
  }

  /** Records why the root is no longer the folder the index shows; the summary reports it from then on. */
  noteRootProblem(message: string): void {
    this.rootProblem ??= message;
  }

  /** Why the root path no longer leads to the folder that was scanned, looking at the disk now; undefined while it does. */
  rootProblemNow(): string | undefined {
    if (this.rootProblem !== undefined || this.rootId === undefined) return this.rootProblem;
    const id = this.rootId;
    let st;
    try {
      st = statSync(this.root, { bigint: true });
    } catch {
      this.noteRootProblem('The checkpoints folder was deleted or moved away. Restart ckptdash to scan it again.');
      return this.rootProblem;
    }
    if (st.dev !== id.dev || st.ino !== id.ino || (id.birthNs !== 0n && st.birthtimeNs !== id.birthNs)) {
      this.noteRootProblem('The checkpoints folder was replaced by another folder. Restart ckptdash to scan it.');
    }
    return this.rootProblem;
  }

  /** Resolves when the first scan is complete; rejects if it failed or the service closed first. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    if (!wasReady) this.settle(new Error('scan closed'));
    await Promise.all([...this.pools].map((p) => p.terminate()));
  }

  summary(): ScanSummary {
    const ix = this.ix;
    const s: ScanSummary = {
      state: this.state === 'ready' ? 'ready' : 'scanning',
      entries: ix ? ix.c.live - 1 : 0,
      files: ix ? ix.c.files[ROOT] : 0,
      dirs: ix ? ix.dirCount : 0,
      bytes: ix ? ix.c.bytes[ROOT] : 0,
      diskBytes: ix ? ix.c.disk[ROOT] : 0,
      errors: ix ? ix.errorCount : 0,
    };
    if (this.startedAt !== undefined) s.startedAt = this.startedAt;
    if (this.finishedAt !== undefined) s.finishedAt = this.finishedAt;
    if (this.rootProblem !== undefined) s.rootError = this.rootProblem;
    return s;
  }

  /** Resolves once the first scan, its background housekeeping and every change queued so far are done. */
  async idle(): Promise<void> {
    await this.readyPromise;
    await this.housekeeping;
    await this.queue;
  }

  /** One page of a folder's children, or null for an unknown path or a non-folder. */
  list(path: string, query: ListQuery = {}): TreePage | null {
    return this.ix ? listFolder(this.ix, path, query, this.o.tagsOf) : null;
  }

  entry(path: string): IndexEntryDetails | null {
    const ix = this.ix;
    if (!ix) return null;
    const id = ix.lookup(path);
    return id < 0 ? null : toDetails(ix, id, path, this.o.tagsOf);
  }

  /** Count and apparent bytes per tag the index itself sets (`hardlink`); other modules add theirs. Cached per version. */
  tagTotals(): Record<string, { count: number; bytes: number }> {
    const ix = this.ix;
    if (ix === null) return {};
    if (this.tagCache?.version !== this.versionNo) this.tagCache = { version: this.versionNo, totals: indexTagTotals(ix) };
    return this.tagCache.totals;
  }

  /** Re-lstat one path (watcher event); waits for the first scan. */
  applyPath(relPath: string): Promise<void> {
    return this.mutate((ctx) => applyPath(ctx, relPath));
  }

  /** Walk one folder again and merge; waits for the first scan. */
  rescanSubtree(relPath: string): Promise<void> {
    return this.mutate((ctx) => rescanSubtree(ctx, relPath));
  }

  /** Announces entries whose tags or protection changed while their files did not. */
  touch(paths: Iterable<string>): void {
    const ix = this.ix;
    if (ix === null || this.state !== 'ready') return;
    const changed = new Set<number>();
    for (const p of paths) {
      const id = ix.lookup(p);
      if (id >= 0) changed.add(id);
    }
    if (changed.size > 0) this.publish(ix, changed, []);
  }

  /** The index itself, for modules that read it in bulk (planner, models). Do not mutate. */
  get index(): TreeIndex | null {
    return this.ix;
  }

  private async initialScan(): Promise<void> {
    const st = await stat(this.root, { bigint: true });
    if (!st.isDirectory()) throw new Error(`not a folder: ${this.root}`);
    this.rootId = { dev: st.dev, ino: st.ino, birthNs: st.birthtimeNs };
    const rootDev = Number(st.dev);
    const ix = new TreeIndex(new StatIn().fromStats(st, '', rootDev));
    ix.trustNlink = true;
    this.ix = ix;
    const settings: WalkSettings = {
      rootDev,
      ignore: this.o.ignore,
      matcher: compileIgnore(this.o.ignore),
      workers: this.o.workers,
      batchSize: this.o.batchSize,
      syncBudget: 0,
      onPool: (pool, running) => (running ? this.pools.add(pool) : this.pools.delete(pool)),
    };
    const onBatch = () => {
      this.versionNo++;
      this.contentNo++;
      const now = Date.now();
      if (now - this.lastProgress >= this.o.progressMs) {
        this.lastProgress = now;
        this.emitScan('scanning', ix);
      }
    };
    // The root has no children yet: everything is appended without lookups.
    ix.c.flags[ROOT] |= F_FRESH;
    await walkInto(ix, ROOT, { path: this.root, rel: '', ino: null }, { ...settings, onBatch });
    if ((this.state as string) === 'closed') throw new Error('scan closed');
    // Housekeeping that only later changes need runs after `ready`, before them, in slices.
    this.housekeeping = this.readyPromise.then(async () => {
      const closed = () => this.state === 'closed';
      await inSlices(ix.addDeferredInodes(), closed);
      await inSlices(ix.c.trim(), closed);
    });
    this.ctx = { ix, root: this.root, settings: { ...settings, syncBudget: this.o.syncBudget } };
    this.state = 'ready';
    this.finishedAt = Date.now();
    this.versionNo++;
    this.contentNo++;
    this.emitScan('ready', ix);
  }

  private emitScan(state: 'scanning' | 'ready', ix: TreeIndex): void {
    this.emit('scan', { type: 'scan', version: this.versionNo, state, entries: ix.c.live - 1, bytes: ix.c.bytes[ROOT] });
  }

  /** Runs index changes one at a time, after the first scan, and publishes each one's delta. */
  private mutate(work: (ctx: IncrementalContext) => Promise<void>): Promise<void> {
    const run = async () => {
      await this.housekeeping;
      const ctx = this.ctx;
      if (ctx === null || this.state !== 'ready') return;
      const ix = ctx.ix;
      ix.changed = new Set();
      ix.removedPaths = [];
      try {
        await work(ctx);
      } finally {
        const changed = ix.changed;
        const removed = ix.removedPaths;
        ix.changed = null;
        ix.removedPaths = [];
        if (changed.size > 0 || removed.length > 0) {
          this.contentNo++;
          this.publish(ix, changed, removed);
        }
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  private publish(ix: TreeIndex, changed: Set<number>, removed: string[]): void {
    this.versionNo++;
    if (changed.size + removed.length > this.o.maxDelta) {
      this.emit('reset', { type: 'reset', version: this.versionNo, reason: 'large change' });
      return;
    }
    const upserts = [];
    for (const id of changed) if ((ix.c.flags[id] & F_LIVE) !== 0) upserts.push(toEntry(ix, id, ix.pathOf(id), this.o.tagsOf));
    // Clients apply `removed` first, then `upserts` (a path in both was replaced).
    this.emit('tree', { type: 'tree', version: this.versionNo, upserts, removed });
  }
}
