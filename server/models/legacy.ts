// torch's legacy (pre-1.6) serialization: five pickles in a row (the magic
// number, the protocol version, sys_info, the object with storages as
// persistent ids, the sorted list of storage keys), then each storage as an
// int64 element count followed by its raw bytes.
import type { ByteSource } from './byte-source.js';
import { readExact } from './byte-source.js';
import { corrupt, ModelReadError, overLimit, truncated, unsupported } from './errors.js';
import { unpickle, type PickleLimits, type PickleResult } from './pickle.js';
import { sequenceItems } from './py-values.js';

/** The number legacy torch files pickle first. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const FIRST_WINDOW = 1024 * 1024;

// The magic pickle is ~15 bytes; these caps keep the sniffing of any file trivial.
const SNIFF_LIMITS: Partial<PickleLimits> = { maxOpcodes: 8, maxItems: 16, maxBytes: 64, maxLongBytes: 16 };

/** True when the bytes start with the pickled legacy magic number. */
export function startsWithLegacyMagic(head: Buffer): boolean {
  if (head.length < 2 || head[0] !== 0x80) return false;
  try {
    return unpickle(head, { limits: SNIFF_LIMITS }).value === LEGACY_MAGIC;
  } catch {
    return false; // Not a pickle (or not this one): simply not a legacy file.
  }
}

/** A legacy file's object and where its storages' bytes are. */
export interface LegacyFile {
  result: PickleResult;
  /** Storage keys in the order their records follow the pickles. */
  keys: string[];
  /** Offset of the first storage record. */
  dataStart: number;
}

function parseAll(window: Buffer, limits?: Partial<PickleLimits>): LegacyFile {
  let at = 0;
  const next = (): PickleResult => {
    const r = unpickle(window, { offset: at, limits });
    at = r.end;
    return r;
  };
  if (next().value !== LEGACY_MAGIC) throw corrupt('legacy magic number missing');
  const version = next().value;
  if (version !== 1001) throw unsupported(`legacy torch protocol ${String(version)}`);
  next(); // sys_info: endianness and type sizes, the same on every machine torch ran on
  const result = next();
  const keysValue = sequenceItems(next().value);
  if (!keysValue || !keysValue.every((k) => typeof k === 'string')) throw corrupt('legacy storage key list is not a list of strings');
  return { result, keys: keysValue as string[], dataStart: at };
}

/** Parses the pickles at the start of a legacy file, reading more of it only while a pickle is cut short. */
export function readLegacy(src: ByteSource, maxPickleBytes: number, limits?: Partial<PickleLimits>): LegacyFile {
  let window = Math.min(src.size, FIRST_WINDOW);
  for (;;) {
    const buf = src.read(0, window);
    try {
      return parseAll(buf, limits);
    } catch (err) {
      const short = err instanceof ModelReadError && err.problem === 'truncated';
      if (!short || window >= src.size) throw err;
      if (window >= maxPickleBytes) throw overLimit(`legacy pickles exceed ${maxPickleBytes} bytes`);
      window = Math.min(src.size, window * 4, maxPickleBytes);
    }
  }
}

/** Where each storage's bytes start; checks every record's count against the pickle and that they fill the file exactly. */
export function legacyStorageOffsets(src: ByteSource, file: LegacyFile): Map<string, number> {
  const offsets = new Map<string, number>();
  let at = file.dataStart;
  for (const key of file.keys) {
    const storage = file.result.storages.get(key);
    if (!storage) throw corrupt(`legacy storage ${key} is listed but never used`);
    if (storage.itemSize === 0) throw unsupported(`legacy storage ${key} has an unknown dtype`);
    const count = readExact(src, at, 8, `legacy storage ${key}`).readBigInt64LE(0);
    if (count !== BigInt(storage.numel)) throw corrupt(`legacy storage ${key} holds ${count} elements, the pickle says ${storage.numel}`);
    offsets.set(key, at + 8);
    at += 8 + storage.nbytes;
    if (at > src.size) throw truncated(`legacy storage ${key} runs past the end of the file`);
  }
  if (at !== src.size) throw corrupt(`legacy file has ${src.size - at} bytes after its last storage`);
  return offsets;
}
