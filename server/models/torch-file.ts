// torch's zip format on top of zip.ts: `<top>/data.pkl` holds the pickle,
// `<top>/data/<key>` each storage's bytes. Also what a file cut before its
// central directory still gives: the first local header is data.pkl, whose
// pickle ends with STOP, so its metadata survives an interrupted save.
import type { ByteSource } from './byte-source.js';
import { corrupt, ModelReadError, truncated } from './errors.js';
import type { ScalarReader } from './metadata.js';
import { unpickle, type PickleLimits, type PickleResult } from './pickle.js';
import type { TensorStub } from './py-values.js';
import { entryDataOffset, firstLocalEntry, readEntryBytes, readZipDirectory, type ZipDirectory, type ZipEntry } from './zip.js';

/** Bounds for reading a checkpoint's pickle. */
export interface PickleReadOptions {
  /** Largest data.pkl (or legacy pickle prefix) read into memory. */
  maxPickleBytes: number;
  limits?: Partial<PickleLimits>;
}

// A state_dict's pickle is ~100 bytes per tensor (data.pkl of 100,000 tensors: ~10 MB); legacy
// files also hold small Python objects inline. Kept low so a hostile file costs ~100 MB at most.
export const DEFAULT_MAX_PICKLE_BYTES = 64 * 1024 * 1024;

/** A torch zip's directory and its unpickled data.pkl. */
export interface TorchZip {
  dir: ZipDirectory;
  pickle: PickleResult;
}

/** The entry of `<top>/<rel>`. */
export function torchEntry(dir: ZipDirectory, rel: string): ZipEntry | undefined {
  return dir.byName.get(dir.top === '' ? rel : `${dir.top}/${rel}`);
}

/** True when a directory is a torch checkpoint's (it holds `<top>/data.pkl`). */
export function isTorchDirectory(dir: ZipDirectory): boolean {
  return torchEntry(dir, 'data.pkl') !== undefined;
}

/** Reads the directory and unpickles data.pkl. */
export function readTorchZip(src: ByteSource, opts: PickleReadOptions): TorchZip {
  const dir = readZipDirectory(src);
  const pkl = torchEntry(dir, 'data.pkl');
  if (!pkl) throw corrupt(`zip has no ${dir.top ? `${dir.top}/` : ''}data.pkl entry`);
  return { dir, pickle: unpickle(readEntryBytes(src, dir, pkl, opts.maxPickleBytes), { limits: opts.limits }) };
}

/** The first read of a pickle whose length is unknown; grown fourfold while the pickle is cut short. */
const SALVAGE_FIRST_WINDOW = 1024 * 1024;

/** The pickle of a torch zip whose end is missing, read from its first local header; null when that is not data.pkl. */
export function salvageTorchPickle(src: ByteSource, opts: PickleReadOptions): PickleResult | null {
  const first = firstLocalEntry(src);
  if (!first || !(first.name === 'data.pkl' || first.name.endsWith('/data.pkl'))) return null;
  const available = Math.min(src.size - first.dataOffset, opts.maxPickleBytes);
  if (available <= 0) throw truncated('the file ends before its pickle');
  // The pickle ends where STOP is, usually within a few KB: a large file cut mid-save (or a
  // sparse one) must not cost a read, and the memory, of the whole window.
  for (let window = Math.min(available, SALVAGE_FIRST_WINDOW); ; window = Math.min(available, window * 4)) {
    try {
      return unpickle(src.read(first.dataOffset, window), { limits: opts.limits });
    } catch (err) {
      if (!(err instanceof ModelReadError && err.problem === 'truncated') || window >= available) throw err;
    }
  }
}

/** Checks that every storage the pickle uses has its `data/<key>` entry, large enough. */
export function checkTorchStorages(dir: ZipDirectory, pickle: PickleResult): void {
  for (const s of pickle.storages.values()) {
    const entry = torchEntry(dir, `data/${s.key}`);
    if (!entry) throw corrupt(`entry data/${s.key} is missing (the pickle uses it)`);
    if (s.itemSize > 0 && entry.size < s.nbytes) throw corrupt(`entry data/${s.key} holds ${entry.size} bytes, the pickle needs ${s.nbytes}`);
  }
}

/** One element of a tensor, decoded from little-endian bytes. */
export function decodeScalar(b: Buffer, dtype: string): number | undefined {
  switch (dtype) {
    case 'float32': return b.readFloatLE(0);
    case 'float64': return b.readDoubleLE(0);
    case 'float16': return halfToNumber(b.readUInt16LE(0));
    case 'bfloat16': {
      const f = Buffer.alloc(4);
      f.writeUInt16LE(b.readUInt16LE(0), 2);
      return f.readFloatLE(0);
    }
    case 'int64': return Number(b.readBigInt64LE(0));
    case 'int32': return b.readInt32LE(0);
    case 'int16': return b.readInt16LE(0);
    case 'int8': return b.readInt8(0);
    case 'uint8': return b[0];
    case 'bool': return b[0] !== 0 ? 1 : 0;
    default: return undefined;
  }
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Reads one-element tensors given where each storage's bytes start and how long they are. */
export function scalarReader(src: ByteSource, locate: (key: string) => { offset: number; length: number } | undefined): ScalarReader {
  return (t: TensorStub) => {
    if (!t.storage || t.itemSize === 0) return undefined;
    try {
      const where = locate(t.storage.key);
      if (!where) return undefined;
      const at = t.storageOffset * t.itemSize;
      if (at + t.itemSize > where.length) return undefined;
      const b = src.read(where.offset + at, t.itemSize);
      return b.length === t.itemSize ? decodeScalar(b, t.dtype) : undefined;
    } catch {
      return undefined; // A value we cannot reach is simply not shown; integrity reports the damage.
    }
  };
}

/** A scalar reader over a torch zip's `data/<key>` entries. */
export function zipScalarReader(src: ByteSource, dir: ZipDirectory): ScalarReader {
  return scalarReader(src, (key) => {
    const entry = torchEntry(dir, `data/${key}`);
    if (!entry || entry.method !== 0) return undefined;
    return { offset: entryDataOffset(src, dir, entry), length: entry.size };
  });
}
