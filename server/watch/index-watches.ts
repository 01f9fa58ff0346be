import { lstat, stat } from 'node:fs/promises';
import { OTHER_FS_CODE } from '../scan/entry-view.js';
import type { ScanService, TreeEvent } from '../scan/scan-service.js';
import { foldersOf, inoOf, isDir, sameDirStamps } from './index-view.js';
import { WatchSet } from './watch-set.js';

export type NoticeLevel = 'info' | 'warning' | 'error';

/** What the watch set asks of the watcher: folders and paths to re-read, the root to check, the user to tell. */
export interface WatchHooks {
  onEvent(folder: string, name: Buffer | null): void;
  listFolder(rel: string): void;
  applyName(folder: string, name: string): void;
  checkRoot(): void;
  notice(level: NoticeLevel, code: string, message: string): void;
}

export interface IndexWatchesOptions {
  root: string;
  maxWatches: number;
  pollMs: number;
  isExcluded: (rel: string) => boolean;
}

const ignoreFailure = () => {
  // An audit that failed is repeated by the next change; nothing here may stop the server.
};

/**
 * Keeps one watch per folder of the index: every folder after the first
 * scan (`sync`), then new ones as `tree` deltas add them and none for the
 * removed. Folders over the watch limit are re-read every `pollMs` instead
 * (reported once per episode as `WATCH_LIMIT`); unreadable ones get no
 * watch until the index shows them readable, and are then listed again.
 */
export class IndexWatches {
  readonly set: WatchSet;
  private readonly audits = new Set<Promise<void>>();
  private pollTimer: NodeJS.Timeout | null = null;
  private limitNoticed = false;
  private closed = false;

  constructor(
    private readonly scan: ScanService,
    private readonly o: IndexWatchesOptions,
    private readonly hooks: WatchHooks,
  ) {
    this.set = new WatchSet({
      root: o.root,
      maxWatches: o.maxWatches,
      onEvent: (folder, name) => hooks.onEvent(folder, name),
      onError: (folder) => this.rewatch(folder),
    });
  }

  get auditing(): boolean {
    return this.audits.size > 0;
  }

  /** Brings the watch set in line with every folder of the index; returns the folders newly watched. */
  sync(): string[] {
    const ix = this.scan.index;
    if (ix === null) return [];
    const added: string[] = [];
    const seen = new Set<string>();
    for (const f of foldersOf(ix)) {
      if (this.o.isExcluded(f.path)) continue;
      seen.add(f.path);
      this.consider(f.path, f.id, f.error, added);
    }
    this.set.keepOnly(seen);
    this.afterChanges();
    return added;
  }

  /** A delta of the index: removed folders lose their watch, new ones get one. */
  onTree(e: TreeEvent): void {
    const ix = this.scan.index;
    if (ix === null) return;
    const added: string[] = [];
    for (const p of e.removed) this.set.dropTree(p);
    for (const u of e.upserts) {
      if (u.kind !== 'dir' || u.error === OTHER_FS_CODE) this.set.dropTree(u.path);
      else this.consider(u.path, ix.lookup(u.path), u.error, added);
    }
    this.afterChanges();
    if (added.length > 0) void this.audit(added);
  }

  /** One folder of the index, as it is now: watched, left alone, or queued to be listed. */
  private consider(path: string, id: number, error: string | undefined, added: string[]): void {
    const ix = this.scan.index;
    // Not addressable (a name on the way is not UTF-8) or already gone.
    if (ix === null || !isDir(ix, id) || this.o.isExcluded(path)) return;
    const ino = inoOf(ix, id);
    const w = this.set.get(path);
    if (w !== undefined && w.ino === ino) {
      if (error !== undefined) w.errored = true;
      else if (w.errored) {
        // applyPath refreshed the folder's stat and dropped its error, but only a listing shows what it holds now.
        w.errored = false;
        this.hooks.listFolder(path);
      }
      return;
    }
    // A folder replaced under the same name (the old watch follows the old inode), or one now unreadable.
    if (w !== undefined || error !== undefined) this.set.drop(path);
    if (error !== undefined) {
      this.set.unwatchable.add(path);
      return;
    }
    if (this.set.polled.has(path)) return;
    const wasUnwatchable = this.set.unwatchable.has(path);
    const r = this.set.add(path, ino);
    if (r === 'watched' && !wasUnwatchable) added.push(path);
    // Listed again: it was never listed while unreadable, or the scanner should record why it cannot be watched.
    else if ((r === 'watched' && wasUnwatchable) || (r === 'denied' && !wasUnwatchable)) this.hooks.listFolder(path);
  }

  /**
   * Closes the gap between the index reading a folder and its watch being
   * set: a folder whose mtime/ctime moved meanwhile is listed again, and a
   * watch on something the index does not hold (a folder swapped for a
   * symlink: fs.watch follows it) is dropped and the name re-lstat'ed.
   */
  audit(paths: string[]): Promise<void> {
    const run = async () => {
      // In slices, so that a reset over a huge tree does not queue a million lstats at once.
      for (let i = 0; i < paths.length; i += 4096) await Promise.all(paths.slice(i, i + 4096).map((p) => this.auditOne(p)));
    };
    const p = run().catch(ignoreFailure);
    this.audits.add(p);
    void p.finally(() => this.audits.delete(p));
    return p;
  }

  auditAll(): void {
    void this.audit([...this.set.watches.keys()]);
  }

  private async auditOne(rel: string): Promise<void> {
    const abs = this.set.abs(rel);
    const st = await (rel === '' ? stat(abs, { bigint: true }) : lstat(abs, { bigint: true })).catch(() => undefined);
    const ix = this.scan.index;
    const w = this.set.get(rel);
    if (this.closed || ix === null || w === undefined) return;
    if (st === undefined || !st.isDirectory() || Number(st.ino) !== w.ino) {
      if (rel === '') return this.hooks.checkRoot();
      this.set.drop(rel);
      const cut = rel.lastIndexOf('/');
      this.hooks.applyName(cut < 0 ? '' : rel.slice(0, cut), rel.slice(cut + 1));
      return;
    }
    const id = ix.lookup(rel);
    if (!isDir(ix, id) || !sameDirStamps(ix, id, st)) this.hooks.listFolder(rel);
  }

  /** A watch that failed once set: set it again at once if the kernel lets us, and list the folder either way. */
  private rewatch(folder: string): void {
    const ix = this.scan.index;
    const id = ix === null ? -1 : ix.lookup(folder);
    if (ix !== null && isDir(ix, id)) this.set.add(folder, inoOf(ix, id));
    else this.set.drop(folder);
    this.hooks.listFolder(folder);
    this.afterChanges();
  }

  /** Starts or stops the periodic re-read of folders over the limit, and tells the user once per episode. */
  private afterChanges(): void {
    const n = this.set.polled.size;
    if (n === 0 || this.closed) {
      if (this.pollTimer !== null) clearInterval(this.pollTimer);
      this.pollTimer = null;
      this.limitNoticed = false;
      return;
    }
    if (this.pollTimer === null) {
      this.pollTimer = setInterval(() => this.poll(), this.o.pollMs);
      this.pollTimer.unref();
    }
    if (!this.limitNoticed) {
      this.limitNoticed = true;
      const ms = this.o.pollMs;
      const every = ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
      const folders = n === 1 ? '1 folder is' : `${n} folders are`;
      this.hooks.notice(
        'warning',
        'WATCH_LIMIT',
        `The inotify watch limit is reached: ${folders} re-read every ${every} instead of watched. Raise fs.inotify.max_user_watches for live updates.`,
      );
    }
  }

  /** Re-reads every folder left without a watch; first tries to watch them again (watches may have been freed). */
  private poll(): void {
    const ix = this.scan.index;
    if (ix === null || this.closed) return;
    let room = true;
    for (const rel of [...this.set.polled]) {
      const id = ix.lookup(rel);
      if (!isDir(ix, id)) {
        this.set.drop(rel);
        continue;
      }
      if (room && this.set.add(rel, inoOf(ix, id)) === 'limit') room = false;
      this.hooks.listFolder(rel);
    }
    this.afterChanges();
  }

  /** Closes every watch and stops the periodic re-read; resolves when running audits are done. */
  async close(): Promise<void> {
    this.closed = true;
    this.set.closeAll();
    this.afterChanges();
    await Promise.allSettled([...this.audits]);
  }
}
