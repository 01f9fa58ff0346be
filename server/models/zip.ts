// A zip reader for torch checkpoints: end record (and ZIP64 end record and
// locator), central directory, local headers. Every read is bounded: the tail
// (at most 64 KiB + 22 bytes), the central directory (capped), and 30 bytes
// plus the name per local header, so a 40 GB checkpoint costs a few reads.
import zlib from 'node:zlib';
import { readExact, type ByteSource } from './byte-source.js';
import { corrupt, overLimit, truncated, unsupported } from './errors.js';

/** One entry as the central directory describes it. */
export interface ZipEntry {
  name: string;
  /** The name's bytes as stored, to compare with the local header exactly. */
  rawName: Buffer;
  flags: number;
  /** 0 stored, 8 deflate. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  headerOffset: number;
}

/** The archive structure found from its end. */
export interface ZipDirectory {
  entries: ZipEntry[];
  byName: Map<string, ZipEntry>;
  /** Folder of the first entry ("archive" for buffers, the file stem for paths); "" when it has none. */
  top: string;
  cdOffset: number;
  cdSize: number;
  /** Offset of the end-of-central-directory record. */
  endOffset: number;
  zip64: boolean;
}

/** Caps on what a directory may make us hold in memory. */
export interface ZipLimits {
  maxEntries: number;
  maxDirectoryBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 1_000_000, maxDirectoryBytes: 64 * 1024 * 1024 };

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const END_LEN = 22;
const LOCATOR_LEN = 20;
const END64_LEN = 56;
const CENTRAL_LEN = 46;
const LOCAL_LEN = 30;
const MAX_COMMENT = 0xffff;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

/** True when the bytes begin like a zip archive (a local header or an empty archive's end record). */
export function looksLikeZip(head: Buffer): boolean {
  if (head.length < 4) return false;
  const sig = head.readUInt32LE(0);
  return sig === SIG_LOCAL || sig === SIG_END;
}

/** True when the file ends with an end-of-central-directory record (no comment): a zip whose start may be damaged. */
export function endsLikeZip(src: ByteSource): boolean {
  if (src.size < END_LEN) return false;
  const last = src.read(src.size - END_LEN, END_LEN);
  return last.length === END_LEN && last.readUInt32LE(0) === SIG_END && last.readUInt16LE(20) === 0;
}

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} is impossibly large (${v})`);
  return Number(v);
}

/** Position of the end record: the last signature whose comment length reaches exactly the end of the file. */
function findEnd(src: ByteSource): { endOffset: number; end: Buffer } {
  if (src.size < END_LEN) throw truncated(`no end-of-central-directory record (file of ${src.size} bytes)`);
  const last = readExact(src, src.size - END_LEN, END_LEN, 'end record');
  if (last.readUInt32LE(0) === SIG_END && last.readUInt16LE(20) === 0) return { endOffset: src.size - END_LEN, end: last };
  // Rare: an archive comment. Search the tail the comment could occupy.
  const tailLen = Math.min(src.size, END_LEN + MAX_COMMENT);
  const tailStart = src.size - tailLen;
  const tail = readExact(src, tailStart, tailLen, 'archive tail');
  let sawSignature = false;
  for (let p = tailLen - END_LEN; p >= 0; p--) {
    if (tail.readUInt32LE(p) !== SIG_END) continue;
    sawSignature = true;
    if (p + END_LEN + tail.readUInt16LE(p + 20) === tailLen) {
      return { endOffset: tailStart + p, end: Buffer.from(tail.subarray(p, p + END_LEN)) };
    }
  }
  if (sawSignature) throw corrupt('end-of-central-directory record does not reach the end of the file');
  throw truncated('no end-of-central-directory record (the save did not finish)');
}

function readEnd64(src: ByteSource, endOffset: number): { count: number; cdSize: number; cdOffset: number; at: number } {
  if (endOffset < LOCATOR_LEN) throw corrupt('ZIP64 end record locator missing');
  const loc = readExact(src, endOffset - LOCATOR_LEN, LOCATOR_LEN, 'ZIP64 locator');
  if (loc.readUInt32LE(0) !== SIG_LOCATOR64) throw corrupt('ZIP64 end record locator missing');
  if (loc.readUInt32LE(16) > 1) throw corrupt('ZIP64 locator names several disks');
  const at = u64(loc, 8, 'ZIP64 end record offset');
  if (at + END64_LEN > src.size) throw truncated('ZIP64 end record lies beyond the end of the file');
  if (at + END64_LEN > endOffset - LOCATOR_LEN) throw corrupt('ZIP64 end record overlaps its locator');
  const rec = readExact(src, at, END64_LEN, 'ZIP64 end record');
  if (rec.readUInt32LE(0) !== SIG_END64) throw corrupt('ZIP64 end record signature missing');
  if (rec.readUInt32LE(16) !== 0 || rec.readUInt32LE(20) !== 0) throw corrupt('ZIP64 end record names another disk');
  return { count: u64(rec, 32, 'ZIP64 entry count'), cdSize: u64(rec, 40, 'ZIP64 directory size'), cdOffset: u64(rec, 48, 'ZIP64 directory offset'), at };
}

/** The ZIP64 extended information extra field, for the 32-bit fields that overflowed. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer, diskStart: number): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (p + 4 + len > extra.length) break;
    if (id === 0x0001) {
      let q = p + 4;
      const take = (what: string): number => {
        if (q + 8 > p + 4 + len) throw corrupt(`ZIP64 extra field of ${entry.name} is too short for ${what}`);
        const v = u64(extra, q, what);
        q += 8;
        return v;
      };
      if (entry.size === U32_MAX) entry.size = take('size');
      if (entry.compressedSize === U32_MAX) entry.compressedSize = take('compressed size');
      if (entry.headerOffset === U32_MAX) entry.headerOffset = take('header offset');
      if (diskStart === U16_MAX) take('disk number');
      return;
    }
    p += 4 + len;
  }
  if (entry.size === U32_MAX || entry.compressedSize === U32_MAX || entry.headerOffset === U32_MAX) {
    throw corrupt(`entry ${entry.name} needs a ZIP64 extra field and has none`);
  }
}

function parseDirectory(cd: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_LEN > cd.length) throw corrupt(`central directory ends after ${i} of ${count} entries`);
    if (cd.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt(`central directory entry ${i} has a bad signature`);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const next = p + CENTRAL_LEN + nameLen + extraLen + commentLen;
    if (next > cd.length) throw corrupt(`central directory entry ${i} runs past the directory`);
    const flags = cd.readUInt16LE(p + 8);
    const nameBytes = cd.subarray(p + CENTRAL_LEN, p + CENTRAL_LEN + nameLen);
    const entry: ZipEntry = {
      // Bit 11 marks UTF-8; torch always sets it. Older tools wrote CP437, read here as Latin-1.
      name: nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1'),
      rawName: Buffer.from(nameBytes),
      flags,
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      headerOffset: cd.readUInt32LE(p + 42),
    };
    const diskStart = cd.readUInt16LE(p + 34);
    if (entry.size === U32_MAX || entry.compressedSize === U32_MAX || entry.headerOffset === U32_MAX || diskStart === U16_MAX) {
      applyZip64Extra(entry, cd.subarray(p + CENTRAL_LEN + nameLen, p + CENTRAL_LEN + nameLen + extraLen), diskStart);
    }
    entries.push(entry);
    p = next;
  }
  return entries;
}

/** Reads the end records and the central directory; throws a ModelReadError on anything inconsistent. */
export function readZipDirectory(src: ByteSource, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipDirectory {
  const { endOffset, end } = findEnd(src);
  // torch (miniz) never spans disks: a disk number here is damage, not a feature to support.
  if (end.readUInt16LE(4) !== 0 && end.readUInt16LE(4) !== U16_MAX) throw corrupt(`end record names disk ${end.readUInt16LE(4)} (multi-disk archives do not exist for checkpoints)`);
  let count = end.readUInt16LE(10);
  let cdSize = end.readUInt32LE(12);
  let cdOffset = end.readUInt32LE(16);
  let limit = endOffset;
  let zip64 = false;
  const locatorSig = endOffset >= LOCATOR_LEN ? src.read(endOffset - LOCATOR_LEN, 4) : Buffer.alloc(0);
  const hasLocator = locatorSig.length === 4 && locatorSig.readUInt32LE(0) === SIG_LOCATOR64;
  if (hasLocator || count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const e64 = readEnd64(src, endOffset);
    ({ count, cdSize, cdOffset } = e64);
    limit = e64.at;
    zip64 = true;
  }
  // Consistency first: a damaged size must read as damage, not as a file too big to check.
  if (cdOffset + cdSize > src.size) throw truncated('central directory lies beyond the end of the file');
  if (cdOffset + cdSize > limit) throw corrupt('central directory overlaps the end record');
  if (count * CENTRAL_LEN > cdSize) throw corrupt(`${count} entries cannot fit a central directory of ${cdSize} bytes`);
  if (count > limits.maxEntries) throw overLimit(`zip has ${count} entries (limit ${limits.maxEntries})`);
  if (cdSize > limits.maxDirectoryBytes) throw overLimit(`central directory of ${cdSize} bytes (limit ${limits.maxDirectoryBytes})`);
  const cd = readExact(src, cdOffset, cdSize, 'central directory');
  const entries = parseDirectory(cd, count);
  const byName = new Map<string, ZipEntry>();
  for (const e of entries) byName.set(e.name, e);
  const first = entries[0]?.name ?? '';
  const slash = first.indexOf('/');
  return { entries, byName, top: slash > 0 ? first.slice(0, slash) : '', cdOffset, cdSize, endOffset, zip64 };
}

/** Where an entry's data starts, after checking its local header; data must end before the directory. */
export function entryDataOffset(src: ByteSource, dir: ZipDirectory, entry: ZipEntry): number {
  const nameBytes = entry.rawName;
  if (entry.headerOffset + LOCAL_LEN > dir.cdOffset) {
    if (entry.headerOffset + LOCAL_LEN > src.size) throw truncated(`local header of ${entry.name} lies beyond the end of the file`);
    throw corrupt(`local header of ${entry.name} overlaps the central directory`);
  }
  const head = readExact(src, entry.headerOffset, LOCAL_LEN + nameBytes.length, `local header of ${entry.name}`);
  if (head.readUInt32LE(0) !== SIG_LOCAL) throw corrupt(`local header of ${entry.name} has a bad signature`);
  const nameLen = head.readUInt16LE(26);
  if (nameLen !== nameBytes.length || !head.subarray(LOCAL_LEN).equals(nameBytes)) {
    throw corrupt(`local header at ${entry.headerOffset} does not name ${entry.name}`);
  }
  const dataOffset = entry.headerOffset + LOCAL_LEN + nameLen + head.readUInt16LE(28);
  const dataEnd = dataOffset + entry.compressedSize;
  if (dataEnd > dir.cdOffset) {
    if (dataEnd > src.size) throw truncated(`data of ${entry.name} runs beyond the end of the file`);
    throw corrupt(`data of ${entry.name} overlaps the central directory`);
  }
  return dataOffset;
}

/** An entry's bytes (stored or deflated), refusing anything larger than `maxBytes`. */
export function readEntryBytes(src: ByteSource, dir: ZipDirectory, entry: ZipEntry, maxBytes: number): Buffer {
  const dataOffset = entryDataOffset(src, dir, entry);
  if (entry.size > maxBytes || entry.compressedSize > maxBytes) {
    throw overLimit(`${entry.name} holds ${Math.max(entry.size, entry.compressedSize)} bytes (limit ${maxBytes})`);
  }
  const raw = readExact(src, dataOffset, entry.compressedSize, entry.name);
  if (entry.method === 0) {
    if (entry.size !== entry.compressedSize) throw corrupt(`stored entry ${entry.name} has two different sizes`);
    return raw;
  }
  if (entry.method !== 8) throw unsupported(`${entry.name} uses compression method ${entry.method}`);
  let out: Buffer;
  try {
    out = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    throw corrupt(`${entry.name} does not inflate (${(err as Error).message})`);
  }
  if (out.length !== entry.size) throw corrupt(`${entry.name} inflates to ${out.length} bytes, not ${entry.size}`);
  return out;
}

/** Reads the first local header only: what a file cut before its central directory still tells. */
export function firstLocalEntry(src: ByteSource): { name: string; dataOffset: number } | null {
  const head = src.read(0, LOCAL_LEN);
  if (head.length < LOCAL_LEN || head.readUInt32LE(0) !== SIG_LOCAL) return null;
  const nameLen = head.readUInt16LE(26);
  const extraLen = head.readUInt16LE(28);
  const name = src.read(LOCAL_LEN, nameLen);
  if (name.length < nameLen) return null;
  return { name: name.toString(head.readUInt16LE(6) & 0x800 ? 'utf8' : 'latin1'), dataOffset: LOCAL_LEN + nameLen + extraLen };
}
