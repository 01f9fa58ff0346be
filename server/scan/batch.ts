import { endianness } from 'node:os';
import type { BigIntStats } from 'node:fs';

/**
 * The walker's wire format: entries travel from the worker to the index in
 * batches of flat typed arrays (transferred, not copied), never as one object
 * per entry.
 *
 * i32 (stride 5): parent folder key, own key (folders, else -1), kind|flags, nlink, name length
 * f64 (stride 3): st_size, st_blocks*512, st_dev
 * u64 (stride 3): mtime ns, ctime ns, inode — read on the main thread as int32 halves
 * names: the raw name bytes, back to back
 * Sparse extras as flat [index, value, …] pairs: errors, symlink targets, and
 * errors of folders already sent whose listing failed later (by folder key).
 */
export const I32_STRIDE = 5;
export const I_PARENT = 0;
export const I_KEY = 1;
export const I_KIND = 2;
export const I_NLINK = 3;
export const I_NAMELEN = 4;
export const F64_STRIDE = 3;
export const F_SIZE = 0;
export const F_DISK = 1;
export const F_DEV = 2;
export const U64_STRIDE = 3;

/** Kinds (low two bits of kind|flags, also in the index). */
export const KIND_FILE = 0;
export const KIND_DIR = 1;
export const KIND_SYMLINK = 2;
export const KIND_OTHER = 3;
export const KIND_MASK = 3;
/** The raw name is not UTF-8. */
export const W_BADNAME = 4;
/** A folder on another filesystem: listed, not entered. */
export const W_OTHERFS = 16;

/** Folder key of the walk's starting folder; workers number theirs from 1 up. */
export const ROOT_KEY = 0;

export type Pairs = Array<number | string>;

export interface BatchMessage {
  type: 'batch';
  count: number;
  i32: ArrayBuffer;
  f64: ArrayBuffer;
  u64: ArrayBuffer;
  names: ArrayBuffer;
  namesUsed: number;
  errors: Pairs;
  targets: Pairs;
  dirErrors: Pairs;
}

/** The four buffers of a batch, sent back to the worker once read (fresh ArrayBuffers cost page faults). */
export interface BatchBuffers {
  i32: ArrayBuffer;
  f64: ArrayBuffer;
  u64: ArrayBuffer;
  names: ArrayBuffer;
}

/** A batch as the index reads it. `stamps` has stride 6: mtime lo/hi, ctime lo/hi, ino lo/hi. */
export interface Batch {
  count: number;
  i32: Int32Array;
  f64: Float64Array;
  stamps: Int32Array;
  names: Buffer;
  errors: Pairs;
  targets: Pairs;
  dirErrors: Pairs;
}

/** 64-bit values are written as BigInt64 and read as two int32: which half is low depends on the CPU. */
export const LO = endianness() === 'LE' ? 0 : 1;
export const HI = 1 - LO;

export function decodeBatch(m: BatchMessage): Batch {
  return {
    count: m.count,
    i32: new Int32Array(m.i32),
    f64: new Float64Array(m.f64),
    stamps: new Int32Array(m.u64),
    names: Buffer.from(m.names, 0, m.namesUsed),
    errors: m.errors,
    targets: m.targets,
    dirErrors: m.dirErrors,
  };
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export function kindOfMode(mode: number): number {
  const t = mode & S_IFMT;
  return t === S_IFREG ? KIND_FILE : t === S_IFDIR ? KIND_DIR : t === S_IFLNK ? KIND_SYMLINK : KIND_OTHER;
}

/** UTF-8 encodes a name; most are ASCII, written here without a native call per name. */
function writeName(buf: Buffer, at: number, name: string): number {
  const n = name.length;
  for (let i = 0; i < n; i++) {
    const ch = name.charCodeAt(i);
    if (ch >= 0x80) return buf.write(name, at);
    buf[at + i] = ch;
  }
  return n;
}

/** Worker side: fills batches and hands each one over when full. */
export class BatchWriter {
  count = 0;
  private i32!: Int32Array;
  private f64!: Float64Array;
  private u64!: BigInt64Array;
  private names!: Buffer;
  private namesUsed = 0;
  private errors: Pairs = [];
  private targets: Pairs = [];
  private dirErrors: Pairs = [];
  private readonly spare: BatchBuffers[] = [];

  constructor(
    private readonly capacity: number,
    private readonly send: (m: BatchMessage, transfer: ArrayBuffer[]) => void,
  ) {
    this.allocate();
  }

  /** Appends one entry and returns its index in the batch (for `error`/`target`). */
  add(parentKey: number, key: number, kindFlags: number, st: BigIntStats | undefined, name: string | Uint8Array): number {
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    const room = typeof name === 'string' ? name.length * 3 : name.length;
    if (this.count === this.capacity || this.namesUsed + room > this.names.length) this.flush();
    const i = this.count++;
    const o = i * I32_STRIDE;
    let nameLen: number;
    if (typeof name === 'string') {
      nameLen = writeName(this.names, this.namesUsed, name);
    } else {
      this.names.set(name, this.namesUsed);
      nameLen = name.length;
    }
    this.namesUsed += nameLen;
    this.i32[o + I_PARENT] = parentKey;
    this.i32[o + I_KEY] = key;
    this.i32[o + I_KIND] = kindFlags;
    this.i32[o + I_NAMELEN] = nameLen;
    const f = i * F64_STRIDE;
    const u = i * U64_STRIDE;
    if (st === undefined) {
      this.i32[o + I_NLINK] = 0;
      this.f64[f + F_SIZE] = 0;
      this.f64[f + F_DISK] = 0;
      this.f64[f + F_DEV] = 0;
      this.u64[u] = 0n;
      this.u64[u + 1] = 0n;
      this.u64[u + 2] = 0n;
    } else {
      this.i32[o + I_NLINK] = Number(st.nlink);
      this.f64[f + F_SIZE] = Number(st.size);
      this.f64[f + F_DISK] = Number(st.blocks) * 512;
      this.f64[f + F_DEV] = Number(st.dev);
      this.u64[u] = st.mtimeNs;
      this.u64[u + 1] = st.ctimeNs;
      this.u64[u + 2] = st.ino;
    }
    return i;
  }

  error(index: number, code: string): void {
    this.errors.push(index, code);
  }

  target(index: number, target: string): void {
    this.targets.push(index, target);
  }

  /** A folder already sent (maybe in an earlier batch) could not be listed. */
  dirError(key: number, code: string): void {
    this.dirErrors.push(key, code);
  }

  get pending(): boolean {
    return this.count > 0 || this.dirErrors.length > 0;
  }

  flush(): void {
    if (!this.pending) return;
    const m: BatchMessage = {
      type: 'batch',
      count: this.count,
      i32: this.i32.buffer as ArrayBuffer,
      f64: this.f64.buffer as ArrayBuffer,
      u64: this.u64.buffer as ArrayBuffer,
      names: this.names.buffer as ArrayBuffer,
      namesUsed: this.namesUsed,
      errors: this.errors,
      targets: this.targets,
      dirErrors: this.dirErrors,
    };
    this.send(m, [m.i32, m.f64, m.u64, m.names]);
    this.allocate();
  }

  /** Takes back the buffers of a batch the index has read, so the next batches reuse them. */
  recycle(buffers: BatchBuffers): void {
    if (buffers.i32.byteLength === this.capacity * I32_STRIDE * 4 && this.spare.length < 4) this.spare.push(buffers);
  }

  private allocate(): void {
    this.count = 0;
    this.namesUsed = 0;
    const reused = this.spare.pop();
    if (reused !== undefined) {
      this.i32 = new Int32Array(reused.i32);
      this.f64 = new Float64Array(reused.f64);
      this.u64 = new BigInt64Array(reused.u64);
      this.names = Buffer.from(reused.names);
    } else {
      this.i32 = new Int32Array(this.capacity * I32_STRIDE);
      this.f64 = new Float64Array(this.capacity * F64_STRIDE);
      this.u64 = new BigInt64Array(this.capacity * U64_STRIDE);
      // Not from the shared pool: the buffer is transferred whole.
      this.names = Buffer.allocUnsafeSlow(this.capacity * 48 + 1024);
    }
    this.errors = [];
    this.targets = [];
    this.dirErrors = [];
  }
}
