import { watch, type FSWatcher } from 'node:fs';
import { errCode } from '../scan/walker.js';

/** What asking for a watch on a folder gave. */
export type AddResult = 'watched' | 'limit' | 'denied' | 'gone';

interface Watch {
  handle: FSWatcher;
  /** The folder's inode when watched: a folder replaced under the same name needs a new watch. */
  ino: number;
  /** The index shows a listing error on it: when that clears, the folder is listed again. */
  errored: boolean;
}

export interface WatchSetOptions {
  root: string;
  maxWatches: number;
  onEvent: (folder: string, name: Buffer | null) => void;
  /** A watch failed after it was set; Node has closed it and the set has forgotten it. */
  onError: (folder: string) => void;
}

// inotify reports its limit as ENOSPC; the others are descriptor or memory limits with the same remedy.
const LIMIT = new Set(['ENOSPC', 'EMFILE', 'ENFILE', 'ENOMEM']);
const DENIED = new Set(['EACCES', 'EPERM']);

/**
 * The non-recursive `fs.watch` handles, one per folder, by root-relative
 * path, and the folders that have none: `polled` (over the watch limit,
 * re-read periodically instead) and `unwatchable` (unreadable: listed
 * again once they can be watched).
 */
export class WatchSet {
  readonly watches = new Map<string, Watch>();
  readonly polled = new Set<string>();
  readonly unwatchable = new Set<string>();
  private readonly byIno = new Map<number, string>();
  /** Folders whose watch moved to another path (renamed): their removal must still sweep what was below them. */
  private readonly movedAway = new Set<string>();

  constructor(private readonly o: WatchSetOptions) {}

  get(rel: string): Watch | undefined {
    return this.watches.get(rel);
  }

  tracks(rel: string): boolean {
    return this.watches.has(rel) || this.polled.has(rel) || this.unwatchable.has(rel);
  }

  add(rel: string, ino: number): AddResult {
    // A folder renamed inside the root: libuv would share the old path's inotify watch and name
    // the folder's own events after the old path, so the old watch goes first.
    const old = this.byIno.get(ino);
    if (old !== undefined && old !== rel) {
      this.drop(old);
      this.movedAway.add(old);
    }
    if (this.watches.size >= this.o.maxWatches) {
      this.polled.add(rel);
      return 'limit';
    }
    let handle: FSWatcher;
    try {
      // fs.watch follows a symlink: the caller checks afterwards that the folder is still the one the index holds.
      handle = watch(this.abs(rel), { persistent: false, encoding: 'buffer' }, (_type, name) => this.o.onEvent(rel, name));
    } catch (e) {
      const code = errCode(e);
      if (LIMIT.has(code)) {
        this.polled.add(rel);
        return 'limit';
      }
      this.polled.delete(rel);
      if (DENIED.has(code)) {
        this.unwatchable.add(rel);
        return 'denied';
      }
      return 'gone';
    }
    handle.on('error', () => {
      // Node has closed the handle already.
      if (this.watches.get(rel)?.handle !== handle) return;
      this.watches.delete(rel);
      this.byIno.delete(ino);
      this.o.onError(rel);
    });
    this.polled.delete(rel);
    this.unwatchable.delete(rel);
    this.watches.set(rel, { handle, ino, errored: false });
    this.byIno.set(ino, rel);
    return 'watched';
  }

  /** Forgets one folder: its watch is closed. */
  drop(rel: string): void {
    const w = this.watches.get(rel);
    if (w !== undefined) {
      this.watches.delete(rel);
      if (this.byIno.get(w.ino) === rel) this.byIno.delete(w.ino);
      w.handle.close();
    }
    this.polled.delete(rel);
    this.unwatchable.delete(rel);
  }

  /** Forgets a folder and every folder below it. */
  dropTree(rel: string): void {
    if (!this.tracks(rel) && !this.movedAway.delete(rel)) return;
    this.drop(rel);
    // Only a removed folder that was tracked can have tracked folders below it: files skip this scan.
    const prefix = `${rel}/`;
    for (const set of [this.watches.keys(), this.polled, this.unwatchable]) {
      for (const p of [...set]) if (p.startsWith(prefix)) this.drop(p);
    }
  }

  /** Forgets every folder not in `keep` (a full sync against the index). */
  keepOnly(keep: ReadonlySet<string>): void {
    for (const p of [...this.watches.keys(), ...this.polled, ...this.unwatchable]) if (!keep.has(p)) this.drop(p);
    this.movedAway.clear();
  }

  closeAll(): void {
    for (const w of this.watches.values()) w.handle.close();
    this.watches.clear();
    this.byIno.clear();
    this.movedAway.clear();
    this.polled.clear();
    this.unwatchable.clear();
  }

  abs(rel: string): string {
    const root = this.o.root;
    if (rel === '') return root;
    return root.endsWith('/') ? root + rel : `${root}/${rel}`;
  }
}
