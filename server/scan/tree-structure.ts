import { KIND_DIR, KIND_MASK } from './batch.js';
import { Columns, F_BADCHILD, F_BADNAME, STAMPS } from './columns.js';
import { escapeName } from './names.js';

/** The root folder's id. */
export const ROOT = 0;

const NAME_MAP_MIN = 48;
const NAME_MAP_LIMIT = 64;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SLASH = Buffer.from('/');

/**
 * The tree's shape and names: children as doubly linked lists (O(1) add and
 * remove), lookup by raw name bytes (a name map for big folders), display
 * names and paths. Lookups never touch the disk. Totals live in TreeIndex.
 */
export class TreeStructure {
  readonly c = new Columns();
  readonly devs: number[] = [];
  private readonly devIndex = new Map<number, number>();
  private lastDev = -1;
  private lastDevIndex = 0;
  readonly errorCodes: string[] = [];
  private readonly errorIndex = new Map<string, number>();
  protected readonly nameMaps = new Map<number, Map<string, number>>();
  /** Derived per-folder data (sorted listings), dropped whenever what it was derived from changes. */
  readonly caches = new Map<number, unknown>();
  /** Ids whose shown values changed, while a delta is being collected. */
  changed: Set<number> | null = null;

  kind(id: number): number {
    return this.c.flags[id] & KIND_MASK;
  }

  ownMtimeMs(id: number): number {
    const o = id * STAMPS;
    return (this.c.stamps[o + 1] * 4294967296 + (this.c.stamps[o] >>> 0)) / 1e6;
  }

  errorOf(id: number): string | undefined {
    const e = this.c.err[id];
    return e === 0 ? undefined : this.errorCodes[e - 1];
  }

  /** Marks a changed entry for the next delta and drops its folder's cached listings. */
  touch(id: number): void {
    this.changed?.add(id);
    if (this.caches.size > 0) this.caches.delete(this.c.parent[id]);
  }

  childrenOf(id: number): number[] {
    const out: number[] = [];
    for (let ch = this.c.first[id]; ch >= 0; ch = this.c.next[ch]) out.push(ch);
    return out;
  }

  /** The id at a root-relative POSIX path ("" is the root), or -1. Names that are not UTF-8 never match. */
  lookup(path: string): number {
    if (path === '') return ROOT;
    if (LONE_SURROGATE.test(path)) return -1;
    let id = ROOT;
    for (const seg of path.split('/')) {
      if (this.kind(id) !== KIND_DIR) return -1;
      const bytes = Buffer.from(seg, 'utf8');
      const child = this.findChild(id, bytes, 0, bytes.length);
      if (child < 0) return -1;
      // "a\xff" might be both a real name and the display of a non-UTF-8 one: refuse to guess.
      if ((this.c.flags[id] & F_BADCHILD) !== 0 && this.displayClash(id, seg)) return -1;
      id = child;
    }
    return id;
  }

  findChild(dir: number, src: Buffer, start: number, len: number): number {
    const c = this.c;
    if (c.children[dir] >= NAME_MAP_MIN) return this.nameMap(dir).get(src.toString('latin1', start, start + len)) ?? -1;
    for (let ch = c.first[dir]; ch >= 0; ch = c.next[ch]) {
      if (c.nameLen[ch] !== len) continue;
      const off = c.nameOff[ch];
      if (c.names.compare(src, start, start + len, off, off + len) === 0) return ch;
    }
    return -1;
  }

  /** The display name: UTF-8 text, or escaped bytes for names that are not UTF-8. */
  nameOf(id: number): string {
    const c = this.c;
    if (id === ROOT) return '';
    if ((c.flags[id] & F_BADNAME) !== 0) return escapeName(c.nameBytes(id));
    return c.names.toString('utf8', c.nameOff[id], c.nameOff[id] + c.nameLen[id]);
  }

  pathOf(id: number): string {
    const parts: string[] = [];
    for (let a = id; a > ROOT; a = this.c.parent[a]) parts.push(this.nameOf(a));
    return parts.reverse().join('/');
  }

  /** The raw relative path, for bytewise ordering (hard-link charging). */
  pathBytes(id: number): Buffer {
    const parts: Buffer[] = [];
    for (let a = id; a > ROOT; a = this.c.parent[a]) parts.push(this.c.nameBytes(a));
    const out: Buffer[] = [];
    for (let i = parts.length - 1; i >= 0; i--) {
      out.push(parts[i]);
      if (i > 0) out.push(SLASH);
    }
    return Buffer.concat(out);
  }


  devOf(dev: number): number {
    // Nearly every entry is on the root's device.
    if (dev === this.lastDev) return this.lastDevIndex;
    let i = this.devIndex.get(dev);
    if (i === undefined) {
      i = this.devs.length;
      this.devs.push(dev);
      this.devIndex.set(dev, i);
    }
    this.lastDev = dev;
    this.lastDevIndex = i;
    return i;
  }

  protected errIndexOf(code: string): number {
    let i = this.errorIndex.get(code);
    if (i === undefined) {
      // 255 distinct codes fit in a byte; any further ones share the last slot.
      i = Math.min(this.errorCodes.length, 254);
      if (i === this.errorCodes.length) this.errorCodes.push(code);
      this.errorIndex.set(code, i);
    }
    return i;
  }


  protected link(parent: number, id: number): void {
    const c = this.c;
    c.parent[id] = parent;
    const head = c.first[parent];
    c.next[id] = head;
    c.prev[id] = -1;
    if (head >= 0) c.prev[head] = id;
    c.first[parent] = id;
    c.children[parent]++;
    if ((c.flags[id] & F_BADNAME) !== 0) c.flags[parent] |= F_BADCHILD;
    if (this.nameMaps.size > 0) this.nameMaps.get(parent)?.set(this.nameKey(id), id);
    if (this.caches.size > 0) this.caches.delete(parent);
  }

  protected unlink(id: number): void {
    const c = this.c;
    const p = c.parent[id];
    const nx = c.next[id];
    const pv = c.prev[id];
    if (pv >= 0) c.next[pv] = nx;
    else c.first[p] = nx;
    if (nx >= 0) c.prev[nx] = pv;
    c.children[p]--;
    this.nameMaps.get(p)?.delete(this.nameKey(id));
    this.caches.delete(p);
    c.parent[id] = -1;
  }

  private nameKey(id: number): string {
    const off = this.c.nameOff[id];
    return this.c.names.toString('latin1', off, off + this.c.nameLen[id]);
  }

  /** Child lookup by name for big folders; a few are kept, least recently used dropped. */
  private nameMap(dir: number): Map<string, number> {
    let m = this.nameMaps.get(dir);
    if (m !== undefined) {
      this.nameMaps.delete(dir);
      this.nameMaps.set(dir, m);
      return m;
    }
    m = new Map();
    for (let ch = this.c.first[dir]; ch >= 0; ch = this.c.next[ch]) m.set(this.nameKey(ch), ch);
    if (this.nameMaps.size >= NAME_MAP_LIMIT) this.nameMaps.delete(this.nameMaps.keys().next().value!);
    this.nameMaps.set(dir, m);
    return m;
  }

  private displayClash(dir: number, seg: string): boolean {
    const c = this.c;
    for (let ch = c.first[dir]; ch >= 0; ch = c.next[ch]) {
      if ((c.flags[ch] & F_BADNAME) !== 0 && escapeName(c.nameBytes(ch)) === seg) return true;
    }
    return false;
  }
}
