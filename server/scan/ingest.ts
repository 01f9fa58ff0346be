import { I32_STRIDE, I_KEY, I_KIND, I_NAMELEN, I_PARENT, KIND_DIR, KIND_MASK, ROOT_KEY, W_BADNAME, type Batch } from './batch.js';
import { F_DUP, F_FRESH, F_LIVE } from './columns.js';
import { StatIn } from './stat-in.js';
import type { TreeIndex } from './tree-index.js';

/**
 * Merges one walk (of the whole root or of one folder) into the index.
 *
 * Folders created during the pass are "fresh": their children are appended
 * without lookups, which is the whole first scan. Folders that already
 * existed are merged by name: same kind → update in place, other kind →
 * replace, unknown → add; at the end, their old children that the walk did
 * not see are removed. So a rescan leaves exactly what a fresh scan would.
 */
export class IngestPass {
  private keyToId = new Int32Array(1024).fill(-1);
  private readonly seen = new Set<number>();
  private readonly merged: number[] = [];
  private readonly fresh: number[] = [];
  private readonly st = new StatIn();
  private pParent = -1;
  private pBytes = 0;
  private pDisk = 0;
  private pFiles = 0;
  private pDirs = 0;
  private pMtime = -Infinity;

  constructor(
    private readonly ix: TreeIndex,
    start: number,
  ) {
    this.keyToId[ROOT_KEY] = start;
    if ((ix.c.flags[start] & F_FRESH) !== 0) this.fresh.push(start);
    else this.merged.push(start);
  }

  apply(b: Batch): void {
    const ix = this.ix;
    const c = ix.c;
    const errors = pairsToMap(b.errors);
    const targets = pairsToMap(b.targets);
    const base = c.appendNames(b.names);
    let namePos = 0;
    for (let i = 0; i < b.count; i++) {
      const o = i * I32_STRIDE;
      const parent = this.keyToId[b.i32[o + I_PARENT]];
      if (parent === undefined || parent < 0) throw new Error('walk batch names an unknown folder');
      const kf = b.i32[o + I_KIND];
      const len = b.i32[o + I_NAMELEN];
      const start = namePos;
      namePos += len;
      const st = this.st.fromBatch(b, i, errors?.get(i) ?? '', targets?.get(i));
      const bad = (kf & W_BADNAME) !== 0;
      let id: number;
      let created = true;
      if ((c.flags[parent] & F_FRESH) !== 0) {
        id = ix.createFresh(parent, base + start, len, bad, st);
        this.addPending(parent, id);
      } else {
        c.wasted(len);
        id = ix.findChild(parent, b.names, start, len);
        if (id >= 0 && ix.kind(id) === (kf & KIND_MASK)) {
          created = false;
          ix.update(id, st);
          if (st.nlink > 1 && ix.kind(id) !== KIND_DIR) this.copyToLinks(id);
        } else {
          if (id >= 0) ix.removeSubtree(id);
          id = ix.create(parent, b.names, start, len, bad, st);
        }
        this.seen.add(id);
      }
      const key = b.i32[o + I_KEY];
      if (key >= 0) {
        this.mapKey(key, id);
        if (created) {
          c.flags[id] |= F_FRESH;
          this.fresh.push(id);
        } else {
          this.merged.push(id);
        }
      }
    }
    this.flushPending();
    for (let k = 0; k < b.dirErrors.length; k += 2) {
      const id = this.keyToId[b.dirErrors[k] as number];
      if (id !== undefined && id >= 0) ix.setError(id, b.dirErrors[k + 1] as string);
    }
  }

  /**
   * Siblings arrive together (one folder listed at a time), so their shares
   * are summed here and carried up once per folder rather than once per entry.
   */
  private addPending(parent: number, id: number): void {
    if (parent !== this.pParent) {
      this.flushPending();
      this.pParent = parent;
    }
    const c = this.ix.c;
    const k = this.ix.kind(id);
    if (k === KIND_DIR) this.pDirs++;
    else if ((c.flags[id] & F_DUP) === 0) {
      this.pBytes += c.bytes[id];
      this.pDisk += c.disk[id];
      this.pFiles += c.files[id];
    }
    if (c.mtimeMs[id] > this.pMtime) this.pMtime = c.mtimeMs[id];
  }

  private flushPending(): void {
    const p = this.pParent;
    if (p < 0) return;
    this.ix.propagate(p, this.pBytes, this.pDisk, this.pFiles, this.pDirs);
    this.ix.raiseMtime(p, this.pMtime);
    this.pParent = -1;
    this.pBytes = this.pDisk = this.pFiles = this.pDirs = 0;
    this.pMtime = -Infinity;
  }

  /** Removes what merged folders no longer hold and ends the pass. */
  finish(): void {
    const ix = this.ix;
    const c = ix.c;
    for (const d of this.merged) {
      // A removed folder's slot may have been reused by a fresh one: its children are all new.
      if ((c.flags[d] & F_LIVE) === 0 || ix.kind(d) !== KIND_DIR || (c.flags[d] & F_FRESH) !== 0) continue;
      for (const ch of ix.childrenOf(d)) if (!this.seen.has(ch)) ix.removeSubtree(ch);
    }
    for (const d of this.fresh) c.flags[d] &= ~F_FRESH;
  }

  /** A failed walk must not sweep: only the pass markers are cleared. */
  abort(): void {
    for (const d of this.fresh) this.ix.c.flags[d] &= ~F_FRESH;
  }

  /** Hard links share one inode, so a fresh lstat of one is a fresh lstat of all. */
  private copyToLinks(id: number): void {
    for (const m of this.ix.inodes.groupOf(id)) if (m !== id) this.ix.update(m, this.st);
  }

  private mapKey(key: number, id: number): void {
    if (key >= this.keyToId.length) {
      const next = new Int32Array(Math.max(key + 1, this.keyToId.length * 2)).fill(-1);
      next.set(this.keyToId);
      this.keyToId = next;
    }
    this.keyToId[key] = id;
  }
}

function pairsToMap(pairs: Array<number | string>): Map<number, string> | null {
  if (pairs.length === 0) return null;
  const m = new Map<number, string>();
  for (let k = 0; k < pairs.length; k += 2) m.set(pairs[k] as number, pairs[k + 1] as string);
  return m;
}
