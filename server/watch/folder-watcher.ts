import { isUtf8 } from 'node:buffer';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, relative } from 'node:path';
import type { ScanService, TreeEvent } from '../scan/scan-service.js';
import { ROOT } from '../scan/tree-index.js';
import { devOf, inoOf, isDir, rescanIsCheap } from './index-view.js';
import { IndexWatches, type NoticeLevel } from './index-watches.js';
import { PathQueue } from './path-queue.js';
import { refreshFolder } from './refresh.js';

export type { NoticeLevel } from './index-watches.js';

export interface FolderWatcherOptions {
  /** The root the scan service indexes, as it was given to it. */
  root: string;
  /** How long events are collected before they are applied, each distinct path once; default 50 ms. */
  debounceMs?: number;
  /** How often folders left without a watch (over the inotify limit) are re-read; default 30 s. */
  pollMs?: number;
  /** Names touched in one folder in one window beyond which the folder is re-read instead, where that is cheaper; default 64. */
  burstNames?: number;
  /** Watches allowed before behaving as if the kernel refused more (ENOSPC); for tests. Default: no limit of our own. */
  maxWatches?: number;
  /** Absolute paths never watched nor applied (the state folder, should it ever be inside the root). */
  exclude?: readonly string[];
  /** Something the UI should tell the user: `WATCH_LIMIT`, `ROOT_GONE`. */
  onNotice?: (level: NoticeLevel, code: string, message: string) => void;
}

/**
 * Events in one window from which inotify's queue (16,384 events by default)
 * may have overflowed: libuv drops the overflow notice, so once such a burst
 * settles every watched folder's mtime is checked against the index.
 */
const HEAVY_WINDOW = 8192;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const join = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);
const depth = (p: string) => p.split('/').length;
const ignoreFailure = () => {
  // A change that failed to apply is applied again by the next event on its path; no watcher error may stop the server.
};

/**
 * Keeps the scan service's index current: one non-recursive `fs.watch`
 * (inotify) per folder of the index, never one per file, and no timer or
 * poll while nothing happens.
 *
 * Events are collected for `debounceMs`, then each distinct path is
 * re-lstat'ed once with `applyPath` (a rename arrives as both names); an
 * event without a name, a burst over a folder, or a lost watch re-reads that
 * one folder (refresh.ts). Which folders hold a watch follows the index
 * (index-watches.ts). A root deleted or replaced is reported (`ROOT_GONE`)
 * and watching stops.
 */
export class FolderWatcher {
  private readonly watches: IndexWatches;
  private readonly queue = new PathQueue();
  private readonly debounceMs: number;
  private readonly burstNames: number;
  private readonly excluded: string[];
  private readonly rootName: string;
  private state: 'new' | 'starting' | 'running' | 'gone' | 'closed' = 'new';
  private rootId = { dev: -1, ino: -1 };
  private rootCheckDue = false;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private windowEvents = 0;
  private auditAllDue = false;

  constructor(
    private readonly scan: ScanService,
    private readonly opts: FolderWatcherOptions,
  ) {
    this.debounceMs = opts.debounceMs ?? 50;
    this.burstNames = opts.burstNames ?? 64;
    this.rootName = basename(opts.root);
    this.excluded = (opts.exclude ?? [])
      .map((p) => relative(opts.root, p))
      .filter((r) => r !== '' && r !== '..' && !r.startsWith('../') && !isAbsolute(r));
    const options = { root: opts.root, maxWatches: opts.maxWatches ?? Infinity, pollMs: opts.pollMs ?? 30_000, isExcluded: (rel: string) => this.isExcluded(rel) };
    this.watches = new IndexWatches(scan, options, {
      onEvent: (folder, name) => this.onEvent(folder, name),
      listFolder: (rel) => this.enqueue(() => this.queue.addFolder(rel)),
      applyName: (folder, name) => this.enqueue(() => this.queue.addName(folder, name)),
      checkRoot: () => this.enqueue(() => (this.rootCheckDue = true)),
      notice: (level, code, message) => this.opts.onNotice?.(level, code, message),
    });
  }

  get watchCount(): number {
    return this.watches.set.watches.size;
  }

  /** Waits for the first scan, then watches every folder of the index. Never rejects. */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'starting';
    this.scan.on('tree', this.onTree);
    this.scan.on('reset', this.onReset);
    try {
      await this.scan.ready();
    } catch {
      // The scan failed or was closed first: there is no index to keep current.
      return;
    }
    const ix = this.scan.index;
    if (this.state !== 'starting' || ix === null) return;
    this.rootId = { dev: devOf(ix, ROOT), ino: inoOf(ix, ROOT) };
    this.state = 'running';
    if (!(await this.rootIsOurs())) return;
    await this.watches.audit(this.watches.sync());
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.stop('closed');
    await Promise.allSettled([this.flushing, this.closing]);
  }

  /** Resolves when no event is waiting to be applied and the scan is idle (for tests). */
  async idle(): Promise<void> {
    // Two quiet turns in a row: inotify events for changes made just before the call land in between.
    for (let quiet = 0; quiet < 2; ) {
      await sleep(2);
      await this.scan.idle().catch(ignoreFailure);
      const busy = this.state === 'running' && (this.timer !== null || this.flushing !== null || this.queue.size > 0 || this.watches.auditing);
      quiet = busy ? 0 : quiet + 1;
    }
  }

  private onEvent(folder: string, name: Buffer | null): void {
    if (this.state !== 'running') return;
    this.windowEvents++;
    if (name === null || name.length === 0 || !isUtf8(name)) {
      // No name, or one a path cannot address: the folder is listed.
      this.queue.addFolder(folder);
      if (folder === '') this.rootCheckDue = true;
    } else {
      const n = name.toString('utf8');
      if (this.isExcluded(join(folder, n))) return;
      this.queue.addName(folder, n);
      // Events about the watched folder itself carry its own name (deleted, moved, chmod): check it too.
      if (folder === '' && n === this.rootName) this.rootCheckDue = true;
      else if (folder !== '' && n === basename(folder)) this.queue.addFolder(folder);
    }
    this.schedule();
  }

  private enqueue(add: () => void): void {
    if (this.state !== 'running') return;
    add();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.flushing !== null || (this.queue.size === 0 && !this.rootCheckDue) || this.state !== 'running') return;
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = null;
    if (this.windowEvents >= HEAVY_WINDOW) this.auditAllDue = true;
    this.windowEvents = 0;
    const batch = this.queue.take();
    const rootCheck = this.rootCheckDue;
    this.rootCheckDue = false;
    this.flushing = this.apply(batch, rootCheck)
      .catch(ignoreFailure)
      .finally(() => {
        this.flushing = null;
        if (this.auditAllDue && this.queue.size === 0 && this.state === 'running') {
          this.auditAllDue = false;
          this.watches.auditAll();
        }
        this.schedule();
      });
  }

  private async apply(batch: Map<string, Set<string> | null>, rootCheck: boolean): Promise<void> {
    if (rootCheck && !(await this.rootIsOurs())) return;
    const ix = this.scan.index;
    if (ix === null) return;
    const paths: string[] = [];
    const folders: Array<[string, number]> = [];
    for (const [folder, names] of batch) {
      const id = ix.lookup(folder);
      if (names === null) folders.push([folder, 0]);
      // Inside a folder the index holds as unreadable, a name alone would be recorded with an error of its own.
      else if (isDir(ix, id) && (ix.errorOf(id) !== undefined || (names.size > this.burstNames && rescanIsCheap(ix, id, names.size))))
        folders.push([folder, names.size]);
      else for (const n of names) paths.push(join(folder, n));
    }
    // Parents first: a folder swapped for a symlink is seen as one before any path through it is lstat'ed.
    paths.sort((a, b) => depth(a) - depth(b));
    await Promise.all(paths.map((p) => this.scan.applyPath(p).catch(ignoreFailure)));
    // Listings last: applyPath on a folder refreshes its stat but would clear an error only a listing can record.
    const absOf = (rel: string) => this.watches.set.abs(rel);
    for (const [folder, touched] of folders) await refreshFolder(this.scan, absOf, folder, touched).catch(ignoreFailure);
  }

  private readonly onTree = (e: TreeEvent): void => {
    if (this.state === 'running') this.watches.onTree(e);
  };

  private readonly onReset = (): void => {
    if (this.state === 'running') void this.watches.audit(this.watches.sync());
  };

  /** False, after reporting ROOT_GONE and stopping, when the root path no longer leads to the folder that was scanned. */
  private async rootIsOurs(): Promise<boolean> {
    const st = await stat(this.opts.root, { bigint: true }).catch(() => undefined);
    if (this.state !== 'running') return false;
    if (st !== undefined && st.isDirectory() && Number(st.ino) === this.rootId.ino && Number(st.dev) === this.rootId.dev) return true;
    this.stop('gone');
    const what = st === undefined ? 'was deleted or moved away' : 'was replaced by another folder';
    this.opts.onNotice?.('error', 'ROOT_GONE', `The checkpoints folder ${what}: changes are no longer followed. Restart ckptdash to watch it again.`);
    return false;
  }

  private stop(state: 'gone' | 'closed'): void {
    this.state = state;
    this.scan.off('tree', this.onTree);
    this.scan.off('reset', this.onReset);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.clear();
    this.closing ??= this.watches.close();
  }

  private isExcluded(rel: string): boolean {
    return this.excluded.some((x) => rel === x || rel.startsWith(`${x}/`));
  }
}
