import { KIND_DIR, KIND_FILE } from './batch.js';
import { F_BADNAME, F_DUP, F_LIVE, F_OTHERFS, STAMPS, S_INO } from './columns.js';
import { chargeOnAdd, chargeOnRemove } from './hardlinks.js';
import { InodeTable } from './inode-table.js';
import type { StatIn } from './stat-in.js';
import { TreeStructure } from './tree-structure.js';

export { ROOT } from './tree-structure.js';

/**
 * The in-memory tree: entries in `Columns`, children as linked lists, and
 * every folder's totals kept current on each change by walking up the
 * parents (so a change costs O(depth), never a rescan). A non-folder's
 * contribution to its folders is its own size, or nothing if it is a hard
 * link charged to another path. A folder's mtime is the newest of its own
 * and everything below it (an empty folder shows its own).
 * Lookups are by raw name bytes and never touch the disk.
 */
export class TreeIndex extends TreeStructure {
  readonly inodes = new InodeTable(this.c);
  readonly targets = new Map<number, string>();
  removedPaths: string[] = [];
  /** Entries whose hard-link siblings appeared or vanished: their nlink/ctime on disk moved. */
  readonly staleLinks = new Set<number>();
  dirCount = 0;
  errorCount = 0;
  /** Skips the hard-link probe for nlink 1 (the first scan, where nothing can be stale). */
  trustNlink = false;

  constructor(rootStat: StatIn) {
    super();
    const id = this.c.alloc();
    this.c.flags[id] |= KIND_DIR;
    this.writeStat(id, rootStat);
    this.c.mtimeMs[id] = this.ownMtimeMs(id);
  }

  /** Adds a child with its stat and folds it into every total above. */
  create(parent: number, src: Uint8Array, start: number, len: number, bad: boolean, st: StatIn): number {
    const c = this.c;
    const id = c.alloc();
    c.flags[id] |= st.kind | (bad ? F_BADNAME : 0);
    c.setName(id, src, start, len);
    this.link(parent, id);
    this.writeStat(id, st);
    if (st.kind === KIND_DIR) c.mtimeMs[id] = this.ownMtimeMs(id);
    this.account(id);
    this.raiseMtime(parent, c.mtimeMs[id]);
    this.touch(id);
    return id;
  }

  /**
   * Adds a child to a folder created in the same ingest pass, without
   * touching the totals above: the caller sums the siblings and propagates
   * once per folder (the first scan is almost all this). The name is
   * already in the name buffer (`Columns.appendNames`).
   */
  createFresh(parent: number, nameOff: number, len: number, bad: boolean, st: StatIn): number {
    const c = this.c;
    const id = c.alloc();
    c.flags[id] |= st.kind | (bad ? F_BADNAME : 0);
    c.setNameAt(id, nameOff, len);
    this.link(parent, id);
    this.writeStat(id, st);
    const k = st.kind;
    if (k === KIND_DIR) {
      c.mtimeMs[id] = this.ownMtimeMs(id);
      this.dirCount++;
    }
    if (c.err[id] !== 0) this.errorCount++;
    else if (k !== KIND_DIR && (!this.trustNlink || c.nlink[id] > 1)) {
      // With trustNlink, single-link files join the inode table in bulk at the end (addDeferredInodes).
      this.inodes.add(id);
      chargeOnAdd(this, id);
    }
    this.changed?.add(id);
    return id;
  }

  /**
   * Puts the single-link files of a first scan into the inode table, sized
   * once, in slices (a generator: the caller yields to the event loop between
   * slices). Only later changes need the table, so this runs after `ready`.
   */
  *addDeferredInodes(slice = 65_536): Generator<void> {
    const c = this.c;
    let n = 0;
    for (let id = 0; id < c.top; id++) if (this.deferred(id)) n++;
    yield;
    this.inodes.reserve(this.inodes.size + n);
    for (let from = 0; from < c.top; from += slice) {
      yield;
      const to = Math.min(c.top, from + slice);
      for (let id = from; id < to; id++) if (this.deferred(id)) this.inodes.add(id);
    }
    this.trustNlink = false;
  }

  private deferred(id: number): boolean {
    const c = this.c;
    return (c.flags[id] & F_LIVE) !== 0 && this.kind(id) !== KIND_DIR && c.err[id] === 0 && c.nlink[id] <= 1;
  }

  /** Applies a new lstat of the same kind; returns false when nothing shown changed. */
  update(id: number, st: StatIn): boolean {
    const c = this.c;
    if (this.sameStat(id, st)) return false;
    const p = c.parent[id];
    if (this.kind(id) === KIND_DIR) {
      const oldOwn = this.ownMtimeMs(id);
      const hadErr = c.err[id] !== 0;
      this.writeStat(id, st);
      this.errorCount += (c.err[id] !== 0 ? 1 : 0) - (hadErr ? 1 : 0);
      const own = this.ownMtimeMs(id);
      if (own > c.mtimeMs[id]) this.raiseMtime(id, own);
      else if (own < oldOwn && oldOwn === c.mtimeMs[id]) this.recomputeMtime(id);
      this.touch(id);
      return true;
    }
    const oldMs = c.mtimeMs[id];
    const o = id * STAMPS + S_INO;
    const sameKey =
      c.dev[id] === this.devOf(st.dev) &&
      c.stamps[o] === st.stamps[4] &&
      c.stamps[o + 1] === st.stamps[5] &&
      (c.err[id] === 0) === (st.err === '');
    if (sameKey) {
      const b0 = c.bytes[id];
      const d0 = c.disk[id];
      const f0 = c.files[id];
      this.writeStat(id, st);
      if ((c.flags[id] & F_DUP) === 0) this.propagate(p, c.bytes[id] - b0, c.disk[id] - d0, c.files[id] - f0, 0);
    } else {
      this.unaccount(id);
      this.writeStat(id, st);
      this.account(id);
    }
    const ms = c.mtimeMs[id];
    if (ms > oldMs) this.raiseMtime(p, ms);
    else if (ms < oldMs && oldMs >= c.mtimeMs[p]) this.recomputeMtime(p);
    this.touch(id);
    return true;
  }

  /** Removes an entry and everything below it, taking it out of every total above. */
  removeSubtree(id: number): void {
    const c = this.c;
    const p = c.parent[id];
    if (this.changed !== null) this.removedPaths.push(this.pathOf(id));
    const wasNewest = c.mtimeMs[id] >= c.mtimeMs[p];
    this.addContribution(id, -1);
    this.unlink(id);
    const linkKeys: number[] = [];
    const stack = [id];
    while (stack.length > 0) {
      const e = stack.pop()!;
      for (let ch = c.first[e]; ch >= 0; ch = c.next[ch]) stack.push(ch);
      const k = this.kind(e);
      if (k === KIND_DIR) this.dirCount--;
      if (c.err[e] !== 0) this.errorCount--;
      else if (k !== KIND_DIR) {
        this.inodes.remove(e);
        // Not only real links (nlink > 1): a stale entry whose inode the disk already gave to a new
        // file has that file counted as its link (F_DUP, adding nothing) until the charge moves here.
        const o = e * STAMPS + S_INO;
        linkKeys.push(c.dev[e], c.stamps[o], c.stamps[o + 1]);
      }
      this.targets.delete(e);
      this.nameMaps.delete(e);
      this.caches.delete(e);
      this.changed?.delete(e);
      this.staleLinks.delete(e);
      c.release(e);
    }
    for (let i = 0; i < linkKeys.length; i += 3) {
      const rest = chargeOnRemove(this, linkKeys[i], linkKeys[i + 1], linkKeys[i + 2]);
      for (const m of rest) this.staleLinks.add(m);
    }
    if (wasNewest) this.recomputeMtime(p);
  }

  /** Sets the error of a folder whose listing failed after it was added. */
  setError(id: number, code: string): void {
    const had = this.c.err[id] !== 0;
    this.c.err[id] = code === '' ? 0 : this.errIndexOf(code) + 1;
    this.errorCount += (this.c.err[id] !== 0 ? 1 : 0) - (had ? 1 : 0);
    this.touch(id);
  }

  /** Shifts totals of `p` and every folder above it. */
  propagate(p: number, dB: number, dD: number, dF: number, dDirs: number): void {
    if (dB === 0 && dD === 0 && dF === 0 && dDirs === 0) return;
    const c = this.c;
    for (let a = p; a >= 0; a = c.parent[a]) {
      c.bytes[a] += dB;
      c.disk[a] += dD;
      c.files[a] += dF;
      c.dirs[a] += dDirs;
      this.touch(a);
    }
  }

  /** Adds (sign 1) or removes (sign -1) what `id` contributes to the folders above it. */
  addContribution(id: number, sign: 1 | -1): void {
    const c = this.c;
    const p = c.parent[id];
    if (p < 0) return;
    if (this.kind(id) === KIND_DIR) this.propagate(p, sign * c.bytes[id], sign * c.disk[id], sign * c.files[id], sign * (c.dirs[id] + 1));
    else if ((c.flags[id] & F_DUP) === 0) this.propagate(p, sign * c.bytes[id], sign * c.disk[id], sign * c.files[id], 0);
  }


  private writeStat(id: number, st: StatIn): void {
    const c = this.c;
    c.dev[id] = this.devOf(st.dev);
    c.nlink[id] = st.nlink;
    const o = id * STAMPS;
    const s = st.stamps;
    c.stamps[o] = s[0];
    c.stamps[o + 1] = s[1];
    c.stamps[o + 2] = s[2];
    c.stamps[o + 3] = s[3];
    c.stamps[o + 4] = s[4];
    c.stamps[o + 5] = s[5];
    c.err[id] = st.err === '' ? 0 : this.errIndexOf(st.err) + 1;
    if (st.otherFs) c.flags[id] |= F_OTHERFS;
    else c.flags[id] &= ~F_OTHERFS;
    if (st.target !== undefined) this.targets.set(id, st.target);
    else if (this.targets.size > 0) this.targets.delete(id);
    if (st.kind !== KIND_DIR) {
      c.bytes[id] = st.size;
      c.disk[id] = st.disk;
      c.files[id] = st.kind === KIND_FILE ? 1 : 0;
      c.mtimeMs[id] = this.ownMtimeMs(id);
    }
  }

  private sameStat(id: number, st: StatIn): boolean {
    const c = this.c;
    if (st.kind !== KIND_DIR && (c.bytes[id] !== st.size || c.disk[id] !== st.disk)) return false;
    if (c.dev[id] !== this.devOf(st.dev) || c.nlink[id] !== st.nlink) return false;
    const o = id * STAMPS;
    for (let k = 0; k < STAMPS; k++) if (c.stamps[o + k] !== st.stamps[k]) return false;
    if (this.errorOf(id) !== (st.err === '' ? undefined : st.err)) return false;
    if (((c.flags[id] & F_OTHERFS) !== 0) !== st.otherFs) return false;
    return this.targets.get(id) === st.target;
  }

  /** Counters, hard-link charge and totals above, for an entry whose stat is written. */
  private account(id: number): void {
    const c = this.c;
    const k = this.kind(id);
    if (k === KIND_DIR) this.dirCount++;
    if (c.err[id] !== 0) this.errorCount++;
    c.flags[id] &= ~F_DUP;
    // Same rule as createFresh: with trustNlink, single-link files wait for addDeferredInodes.
    if (k !== KIND_DIR && c.err[id] === 0 && (!this.trustNlink || c.nlink[id] > 1)) {
      this.inodes.add(id);
      chargeOnAdd(this, id);
    }
    this.addContribution(id, 1);
  }

  private unaccount(id: number): void {
    const c = this.c;
    const k = this.kind(id);
    this.addContribution(id, -1);
    if (k === KIND_DIR) this.dirCount--;
    if (c.err[id] !== 0) this.errorCount--;
    else if (k !== KIND_DIR) {
      this.inodes.remove(id);
      c.flags[id] &= ~F_DUP;
      const o = id * STAMPS + S_INO;
      for (const m of chargeOnRemove(this, c.dev[id], c.stamps[o], c.stamps[o + 1])) this.staleLinks.add(m);
    }
  }

  raiseMtime(from: number, ms: number): void {
    const c = this.c;
    for (let a = from; a >= 0 && c.mtimeMs[a] < ms; a = c.parent[a]) {
      c.mtimeMs[a] = ms;
      this.touch(a);
    }
  }

  /** After the newest entry of a folder left or got older: recompute upward while anything moves. */
  recomputeMtime(from: number): void {
    const c = this.c;
    for (let a = from; a >= 0; a = c.parent[a]) {
      let m = this.ownMtimeMs(a);
      for (let ch = c.first[a]; ch >= 0; ch = c.next[ch]) if (c.mtimeMs[ch] > m) m = c.mtimeMs[ch];
      if (m === c.mtimeMs[a]) return;
      c.mtimeMs[a] = m;
      this.touch(a);
    }
  }
}
