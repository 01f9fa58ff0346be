/**
 * The index's storage: one slot per entry across parallel typed arrays (a
 * struct of arrays) and one byte buffer for all names, instead of a JS object
 * per entry. About 100 bytes per entry plus its name; a million entries fit
 * in ~150 MB with no GC pressure.
 */

/** Flags beside the kind (low two bits, same values as the walker's). */
export const F_BADNAME = 4;
/** A hard link charged to another path: adds nothing to folder totals. */
export const F_DUP = 8;
/** A folder on another filesystem: listed, not entered. */
export const F_OTHERFS = 16;
/** A folder created during the current ingest pass: it has no old children to merge with. */
export const F_FRESH = 32;
/** A folder with a child whose name is not UTF-8: lookups there check for ambiguity. */
export const F_BADCHILD = 64;
/** The slot holds a live entry. */
export const F_LIVE = 128;

/** Stride of `stamps`: mtime ns lo/hi, ctime ns lo/hi, inode lo/hi. */
export const STAMPS = 6;
export const S_MTIME = 0;
export const S_CTIME = 2;
export const S_INO = 4;

const NONE = -1;

export class Columns {
  cap = 0;
  /** Slots ever used; ids are < top. */
  top = 0;
  private readonly free: number[] = [];

  parent = new Int32Array(0);
  first = new Int32Array(0);
  next = new Int32Array(0);
  prev = new Int32Array(0);
  nameOff = new Uint32Array(0);
  nameLen = new Uint16Array(0);
  flags = new Uint8Array(0);
  /** 0, or 1 + index in the index's error code table. */
  err = new Uint8Array(0);
  /** Index in the index's device table. */
  dev = new Uint16Array(0);
  nlink = new Uint32Array(0);
  /** Direct children (folders). */
  children = new Uint32Array(0);
  /** 1 for a regular file; regular files below for a folder. */
  files = new Uint32Array(0);
  /** Folders below (folders only). */
  dirs = new Uint32Array(0);
  /** Own st_size, or the sum below for a folder. */
  bytes = new Float64Array(0);
  /** Own st_blocks*512, or the sum below for a folder. */
  disk = new Float64Array(0);
  /** Own mtime in ms, or the newest of the folder itself and everything below. */
  mtimeMs = new Float64Array(0);
  stamps = new Int32Array(0);

  names: Buffer = Buffer.alloc(0);
  namesUsed = 0;
  namesGarbage = 0;

  constructor(initial = 4096) {
    this.resize(initial);
    this.names = Buffer.allocUnsafeSlow(initial * 24);
  }

  alloc(): number {
    const id = this.free.length > 0 ? this.free.pop()! : this.top++;
    if (id >= this.cap) this.resize(this.nextCap());
    this.parent[id] = NONE;
    this.first[id] = NONE;
    this.next[id] = NONE;
    this.prev[id] = NONE;
    this.flags[id] = F_LIVE;
    this.err[id] = 0;
    this.children[id] = 0;
    this.files[id] = 0;
    this.dirs[id] = 0;
    this.bytes[id] = 0;
    this.disk[id] = 0;
    this.mtimeMs[id] = 0;
    this.nameLen[id] = 0;
    return id;
  }

  release(id: number): void {
    this.namesGarbage += this.nameLen[id];
    this.flags[id] = 0;
    this.free.push(id);
  }

  get live(): number {
    return this.top - this.free.length;
  }

  /** Stores a name's bytes; compacts the name buffer when most of it is garbage. */
  setName(id: number, src: Uint8Array, start: number, len: number): void {
    if (this.nameLen[id] > 0) this.namesGarbage += this.nameLen[id];
    if (this.namesUsed + len > this.names.length) this.growNames(len);
    for (let k = 0; k < len; k++) this.names[this.namesUsed + k] = src[start + k];
    this.nameOff[id] = this.namesUsed;
    this.nameLen[id] = len;
    this.namesUsed += len;
  }

  /** Copies a batch's names in one go; entries then point into it with `setNameAt`. Returns the base offset. */
  appendNames(src: Buffer): number {
    if (this.namesUsed + src.length > this.names.length) this.growNames(src.length);
    const base = this.namesUsed;
    src.copy(this.names, base);
    this.namesUsed += src.length;
    return base;
  }

  setNameAt(id: number, off: number, len: number): void {
    if (this.nameLen[id] > 0) this.namesGarbage += this.nameLen[id];
    this.nameOff[id] = off;
    this.nameLen[id] = len;
  }

  /** Bytes appended with `appendNames` that no entry uses. */
  wasted(len: number): void {
    this.namesGarbage += len;
  }

  nameBytes(id: number): Buffer {
    const off = this.nameOff[id];
    return this.names.subarray(off, off + this.nameLen[id]);
  }

  private nextCap(): number {
    return this.cap < 262_144 ? this.cap * 4 : this.cap * 2;
  }

  /**
   * Shrinks the arrays to the live size plus 1/16 once growth has stopped
   * (after the first scan; doubling may have left up to half unused). One
   * array per step, so the caller can yield between steps.
   */
  *trim(): Generator<void> {
    this.compactNames();
    yield;
    const want = Math.max(1024, Math.ceil(this.top * 1.0625));
    if (want * 1.25 < this.cap) {
      for (const key of COLUMN_KEYS) {
        const stride = key === 'stamps' ? STAMPS : 1;
        (this as unknown as Record<string, Typed>)[key] = grow((this as unknown as Record<string, Typed>)[key], want * stride);
        yield;
      }
      this.cap = want;
    }
    const nameWant = this.namesUsed + Math.max(4096, this.namesUsed >> 4);
    if (nameWant * 1.25 < this.names.length) this.names = copyInto(Buffer.allocUnsafeSlow(nameWant), this.names, this.namesUsed);
  }

  private growNames(need: number): void {
    if (this.namesGarbage > this.namesUsed >> 1) this.compactNames();
    if (this.namesUsed + need <= this.names.length) return;
    const size = Math.max(this.namesUsed + need, this.names.length * 2, 4096);
    this.names = copyInto(Buffer.allocUnsafeSlow(size), this.names, this.namesUsed);
  }

  private compactNames(): void {
    if (this.namesGarbage === 0) return;
    const out = Buffer.allocUnsafeSlow(Math.max(4096, this.names.length));
    let used = 0;
    for (let id = 0; id < this.top; id++) {
      if ((this.flags[id] & F_LIVE) === 0) continue;
      const off = this.nameOff[id];
      const len = this.nameLen[id];
      this.names.copy(out, used, off, off + len);
      this.nameOff[id] = used;
      used += len;
    }
    this.names = out;
    this.namesUsed = used;
    this.namesGarbage = 0;
  }

  private resize(cap: number): void {
    const self = this as unknown as Record<string, Typed>;
    for (const key of COLUMN_KEYS) {
      const want = key === 'stamps' ? cap * STAMPS : cap;
      if (self[key].length < want) self[key] = grow(self[key], want);
    }
    this.cap = cap;
  }
}

const COLUMN_KEYS = [
  'parent',
  'first',
  'next',
  'prev',
  'nameOff',
  'nameLen',
  'flags',
  'err',
  'dev',
  'nlink',
  'children',
  'files',
  'dirs',
  'bytes',
  'disk',
  'mtimeMs',
  'stamps',
] as const satisfies readonly (keyof Columns)[];

type Typed = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;

function grow<T extends Typed>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a.length <= size ? a : (a.subarray(0, size) as T));
  return b;
}

function copyInto(dst: Buffer, src: Buffer, len: number): Buffer {
  src.copy(dst, 0, 0, len);
  return dst;
}
