import { S_INO, STAMPS, type Columns } from './columns.js';

/**
 * Every non-folder entry by (device, inode), as an open-addressing multimap
 * of ids in one Int32Array (~8 bytes per entry, no Map of a million keys).
 * It finds the other names of a hard-linked inode without trusting st_nlink,
 * which goes stale in the index when a link appears or disappears elsewhere.
 * Keys are read from the columns, so an entry's dev/inode must not change
 * while it is in the table.
 */
const EMPTY = 0;
const TOMB = -1;

export class InodeTable {
  private slots = new Int32Array(1024);
  private mask = 1023;
  private used = 0;
  private live = 0;

  constructor(private readonly c: Columns) {}

  get size(): number {
    return this.live;
  }

  /** Grows the table once for `n` entries in all (instead of doubling step by step). */
  reserve(n: number): void {
    if (n * 2 > this.slots.length) this.rehash(n);
  }

  add(id: number): void {
    if ((this.used + 1) * 2 > this.slots.length) this.rehash();
    let i = this.slotOf(id);
    for (;;) {
      const s = this.slots[i];
      if (s === EMPTY || s === TOMB) {
        if (s === EMPTY) this.used++;
        this.slots[i] = id + 1;
        this.live++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  remove(id: number): boolean {
    let i = this.slotOf(id);
    for (;;) {
      const s = this.slots[i];
      if (s === EMPTY) return false;
      if (s === id + 1) {
        this.slots[i] = TOMB;
        this.live--;
        return true;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Ids sharing the given device index and inode halves. */
  group(dev: number, inoLo: number, inoHi: number, out: number[] = []): number[] {
    const st = this.c.stamps;
    const devs = this.c.dev;
    let i = hash(dev, inoLo, inoHi) & this.mask;
    for (;;) {
      const s = this.slots[i];
      if (s === EMPTY) return out;
      if (s !== TOMB) {
        const id = s - 1;
        const o = id * STAMPS + S_INO;
        if (st[o] === inoLo && st[o + 1] === inoHi && devs[id] === dev) out.push(id);
      }
      i = (i + 1) & this.mask;
    }
  }

  /** The ids with the same device and inode as `id` (including `id` if it is in the table). */
  groupOf(id: number, out: number[] = []): number[] {
    const o = id * STAMPS + S_INO;
    return this.group(this.c.dev[id], this.c.stamps[o], this.c.stamps[o + 1], out);
  }

  private slotOf(id: number): number {
    const o = id * STAMPS + S_INO;
    return hash(this.c.dev[id], this.c.stamps[o], this.c.stamps[o + 1]) & this.mask;
  }

  private rehash(want = this.live + 1): void {
    const old = this.slots;
    let size = 1024;
    while (size < want * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.used = 0;
    this.live = 0;
    for (let i = 0; i < old.length; i++) if (old[i] > 0) this.add(old[i] - 1);
  }
}

function hash(dev: number, lo: number, hi: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(dev + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
