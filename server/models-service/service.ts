// Knows every checkpoint under the root: enumerates them from the index once
// the first scan is ready, reads them in the background in short slices
// (the event loop and the API stay free), keeps results across restarts,
// and follows the index's changes. Domain code: no Fastify here.
import { naturalCompare } from '../../shared/natural-sort.js';
import type { RunTotals } from '../../shared/schemas/api.js';
import type { Checkpoint } from '../../shared/schemas/entry.js';
import type { RootFs } from '../fs/root-fs.js';
import { WRITING_RECENT_MS, type CheckpointInfo } from '../models/index.js';
import type { ResetEvent, ScanService, TreeEvent } from '../scan/scan-service.js';
import type { ModelCache } from './cache.js';
import { Batcher } from './batcher.js';
import { memoizedSidecars, readUnit, type SidecarSource } from './read-unit.js';
import { topRunTotals } from './run-totals.js';
import { SliceRunner } from './slices.js';
import { detailsOf, tagsOfInfo, tagTotalsOf, toCheckpoint } from './to-checkpoint.js';
import { folderUnits, parentOf, walkUnits, type UnitRef } from './units.js';

/** What the service needs from the scanner. */
export type ModelScanSource = Pick<ScanService, 'ready' | 'index' | 'on' | 'off'>;

export interface ModelServiceOptions {
  /** Absent when the app runs with a stand-in scanner: no checkpoints are known then. */
  scan?: ModelScanSource;
  rootFs: RootFs;
  cache: ModelCache;
  /** The clock of the writing rule; tests move it forward instead of waiting. */
  now?: () => number;
  /** Longest stretch of work before yielding to the event loop (default 15 ms). */
  sliceMs?: number;
  /** Checkpoints whose model tags changed on a read (`writing` ended, …): open pages show them again. */
  onTagsChanged?: (paths: string[]) => void;
}

interface UnitState {
  ref: UnitRef;
  /** What the readers found for `ref.etag`; absent until read. */
  info?: CheckpointInfo;
  readAt?: number;
  tags: string[];
  /** When an etag change was seen (feeds the writing rule beside the file's mtime). */
  changedAtMs?: number;
}

/** One checkpoint as the index shows it, with what its files said once read. */
export interface UnitFacts {
  ref: UnitRef;
  info?: CheckpointInfo;
  tags: readonly string[];
}

const NO_TAGS: readonly string[] = Object.freeze([]);
// Checked again just after the writing window closes, so `writing` never sticks without a new event.
const RECHECK_MS = WRITING_RECENT_MS + 1_000;
const ANNOUNCE_MS = 100;
const SIDECAR_TTL_MS = 5_000;

export class ModelService {
  private readonly units = new Map<string, UnitState>();
  private readonly byRun = new Map<string, Set<string>>();
  /** Folders enumerated so far (checkpoint folders excluded: they are units). */
  private folders = new Set<string>();
  private readonly queue = new Set<string>();
  private full: { walk: Generator<{ dir: string; units: UnitRef[] }>; units: Set<string>; folders: Set<string> } | null = null;
  /** Folders touched by changes while a full enumeration runs; regrouped when it ends. */
  private readonly pendingDirs = new Set<string>();
  private everEnumerated = false;
  private closed = false;
  private started: Promise<void> | null = null;
  private readonly work: SliceRunner;
  private recheckTimer: NodeJS.Timeout | undefined;
  /** A run folder's sidecars are listed once for all its checkpoints (a readdir per checkpoint is quadratic). */
  private readonly sidecars: SidecarSource;
  /** Tag changes from reads go out in batches: a first read of thousands of files is not thousands of events. */
  private readonly announcer: Batcher<string>;
  private readCount = 0;
  private changes = 0;
  private readonly now: () => number;

  constructor(private readonly o: ModelServiceOptions) {
    this.now = o.now ?? Date.now;
    this.work = new SliceRunner(() => this.step(), o.sliceMs ?? 15);
    this.sidecars = memoizedSidecars(o.rootFs, SIDECAR_TTL_MS);
    this.announcer = new Batcher(ANNOUNCE_MS, (paths) => this.o.onTagsChanged?.(paths));
  }

  /** Begins once the first scan is ready; later calls do nothing. */
  start(): void {
    const scan = this.o.scan;
    if (this.started || !scan) return;
    this.started = scan.ready().then(
      () => {
        if (this.closed) return;
        scan.on('tree', this.onTree);
        scan.on('reset', this.onReset);
        this.beginFull();
      },
      // The scan failed or the app closed first: there is nothing to read.
      () => {},
    );
  }

  /** Resolves when every known checkpoint has been read (or the service closed). */
  async idle(): Promise<void> {
    if (this.started) await this.started;
    while (!this.closed && (this.full !== null || this.queue.size > 0)) {
      this.kick();
      await this.work.drained();
    }
  }

  /** Reads again now: the given checkpoints, or every one still `writing`. */
  recheck(paths?: readonly string[]): Promise<void> {
    for (const p of paths ?? this.writingPaths()) if (this.units.has(p)) this.queue.add(p);
    this.kick();
    return this.idle();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.recheckTimer);
    this.announcer.stop();
    this.o.scan?.off('tree', this.onTree);
    this.o.scan?.off('reset', this.onReset);
    this.work.stop();
  }

  /** True while checkpoints wait to be enumerated or read. */
  get busy(): boolean {
    return this.full !== null || this.queue.size > 0;
  }

  /** Bumps whenever a checkpoint appears, goes, changes or is read. */
  get version(): number {
    return this.changes;
  }

  /** Every checkpoint known so far with what its files said, for the tag rules and the planner. */
  facts(): UnitFacts[] {
    return Array.from(this.units.values(), (u) => ({ ref: u.ref, info: u.info, tags: u.tags }));
  }

  /**
   * Takes the full check's verdict (every CRC) for a checkpoint, kept while the checkpoint is
   * unchanged (`etag` is what the job read); open pages show the new integrity at once.
   */
  setFullCheck(path: string, integrity: CheckpointInfo['integrity'], etag: string): void {
    const u = this.units.get(path);
    if (!u || !u.info || u.ref.etag !== etag) return;
    u.info = { ...u.info, integrity: { ...integrity, full: true } };
    u.tags = tagsOfInfo(u.info);
    this.changes++;
    this.o.cache.put(path, u.ref.etag, { info: u.info, readMs: u.readAt ?? this.now() });
    // The integrity the pages show changed even when the tags did not.
    this.announcer.add(path);
  }

  /** How many checkpoint reads ran (cache hits excluded). */
  get reads(): number {
    return this.readCount;
  }

  summary(): { read: number; total: number } {
    let read = 0;
    for (const u of this.units.values()) if (u.info) read++;
    return { read, total: this.units.size };
  }

  /** Every checkpoint known so far, unread ones included, in natural path order. */
  list(): Checkpoint[] {
    return [...this.units.values()]
      .sort((a, b) => naturalCompare(a.ref.path, b.ref.path))
      .map((u) => toCheckpoint(u.ref, u.info, u.tags));
  }

  /** The `limit` heaviest runs by their checkpoints' bytes, unread checkpoints included, and how many runs there are. */
  runTotals(limit: number): RunTotals {
    return topRunTotals(Array.from(this.units.values(), (u) => u.ref), limit);
  }

  /** One checkpoint by its path (a part of a checkpoint is not one); with the details pane's extras. */
  checkpoint(path: string): Checkpoint | undefined {
    const u = this.units.get(path);
    if (!u) return undefined;
    const cp = toCheckpoint(u.ref, u.info, u.tags);
    if (u.info) cp.details = detailsOf(u.info, u.readAt);
    return cp;
  }

  /** The automatic tags the readers decided for an entry path (the tree's tag provider). */
  tagsOf = (path: string): readonly string[] => this.units.get(path)?.tags ?? NO_TAGS;

  /** Count and bytes per model tag, for the summary. */
  tagTotals(): Record<string, { count: number; bytes: number }> {
    return tagTotalsOf(Array.from(this.units.values(), (u) => ({ tags: u.tags, bytes: u.ref.bytes })));
  }

  // --- enumeration ---

  private beginFull(): void {
    this.full = { walk: walkUnits(() => this.o.scan?.index ?? null, ''), units: new Set(), folders: new Set() };
    this.kick();
  }

  private finishFull(): void {
    const full = this.full!;
    this.full = null;
    for (const p of [...this.units.keys()]) if (!full.units.has(p)) this.dropUnit(p);
    this.folders = full.folders;
    for (const dir of this.pendingDirs) this.regroup(dir);
    this.pendingDirs.clear();
    // Results of checkpoints deleted while the server was off only take space.
    if (!this.everEnumerated) this.o.cache.prune((p) => this.units.has(p));
    this.everEnumerated = true;
  }

  /** Sets the checkpoints directly inside `dir`, dropping those no longer there. */
  private applyFolder(dir: string, refs: UnitRef[]): void {
    this.folders.add(dir);
    this.full?.folders.add(dir);
    const keep = new Set(refs.map((r) => r.path));
    for (const p of [...(this.byRun.get(dir) ?? [])]) if (!keep.has(p)) this.dropUnit(p);
    for (const r of refs) this.upsertUnit(r);
  }

  /** Looks at a known folder again; folders below it that are new are walked too. */
  private regroup(dir: string): void {
    const ix = this.o.scan?.index;
    if (!ix || !this.folders.has(dir)) return;
    const found = folderUnits(ix, dir);
    if (found === null) return;
    this.applyFolder(dir, found.units);
    for (const sub of found.subfolders) {
      if (this.folders.has(sub)) continue;
      for (const step of walkUnits(() => ix, sub)) this.applyFolder(step.dir, step.units);
    }
  }

  private upsertUnit(ref: UnitRef): void {
    this.full?.units.add(ref.path);
    const old = this.units.get(ref.path);
    if (old && old.ref.etag === ref.etag) {
      old.ref = ref;
      return;
    }
    this.changes++;
    const u: UnitState = { ref, tags: [] };
    if (old) u.changedAtMs = this.now();
    const hit = this.o.cache.get(ref.path, ref.etag);
    if (hit) Object.assign(u, { info: hit.info, readAt: hit.readMs, tags: tagsOfInfo(hit.info) });
    else this.queue.add(ref.path);
    this.units.set(ref.path, u);
    let run = this.byRun.get(ref.run);
    if (!run) this.byRun.set(ref.run, (run = new Set()));
    run.add(ref.path);
  }

  private dropUnit(path: string): void {
    const u = this.units.get(path);
    if (!u) return;
    this.changes++;
    this.units.delete(path);
    this.queue.delete(path);
    const run = this.byRun.get(u.ref.run);
    run?.delete(path);
    if (run?.size === 0) this.byRun.delete(u.ref.run);
    this.o.cache.delete(path);
  }

  /** The checkpoint `path` is or lies inside (a file in `checkpoint-500/`). */
  private unitContaining(path: string): string | undefined {
    for (let p = path; ; p = parentOf(p)) {
      if (this.units.has(p)) return p;
      if (p === '') return undefined;
    }
  }

  // --- index changes ---

  private readonly onTree = (e: TreeEvent): void => {
    try {
      this.applyDelta(e.upserts.map((u) => u.path), e.removed);
    } catch {
      // This runs inside the scanner's publish: a bug here must not break the index; the next reset recovers.
    }
    this.kick();
  };

  private readonly onReset = (_e: ResetEvent): void => this.beginFull();

  private applyDelta(upserts: readonly string[], removed: readonly string[]): void {
    const dirs = new Set<string>();
    for (const p of removed) {
      const owner = this.unitContaining(p);
      if (owner === p) this.dropUnit(p);
      else if (owner !== undefined) dirs.add(parentOf(owner));
      else {
        if (this.folders.has(p)) this.dropFolder(p);
        dirs.add(parentOf(p));
      }
    }
    for (const p of upserts) {
      const owner = this.unitContaining(p);
      dirs.add(parentOf(owner ?? p));
    }
    if (this.full) for (const d of dirs) this.pendingDirs.add(d);
    else for (const d of dirs) this.regroup(d);
  }

  private dropFolder(dir: string): void {
    const prefix = `${dir}/`;
    for (const p of [...this.units.keys()]) if (p.startsWith(prefix)) this.dropUnit(p);
    for (const f of [...this.folders]) if (f === dir || f.startsWith(prefix)) this.folders.delete(f);
  }

  // --- reading ---

  private kick(): void {
    if (this.full !== null || this.queue.size > 0) this.work.kick();
  }

  /** One folder enumerated or one checkpoint read; false when there is nothing to do. */
  private step(): boolean {
    if (this.full) {
      const next = this.full.walk.next();
      if (next.done) this.finishFull();
      else this.applyFolder(next.value.dir, next.value.units);
      return true;
    }
    const next = this.queue.values().next();
    if (next.done) return false;
    this.queue.delete(next.value);
    this.read(next.value);
    return true;
  }

  private read(path: string): void {
    const u = this.units.get(path);
    if (!u) return;
    const now = this.now();
    const { info, cacheable } = readUnit(this.o.rootFs, u.ref, { now, changedAtMs: Math.max(u.ref.mtimeMs, u.changedAtMs ?? 0) }, this.sidecars);
    this.readCount++;
    this.changes++;
    const before = u.tags;
    Object.assign(u, { info, readAt: now, tags: tagsOfInfo(info) });
    if (before.join() !== u.tags.join()) this.announcer.add(path);
    // A file being written is read again soon; only settled results are worth keeping.
    if (info.integrity.status === 'writing') this.scheduleRecheck();
    else if (cacheable) this.o.cache.put(path, u.ref.etag, { info, readMs: now });
  }

  private writingPaths(): string[] {
    return [...this.units.values()].filter((u) => u.info?.integrity.status === 'writing').map((u) => u.ref.path);
  }

  private scheduleRecheck(): void {
    if (this.recheckTimer !== undefined || this.closed) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      void this.recheck();
    }, RECHECK_MS);
    this.recheckTimer.unref();
  }
}
