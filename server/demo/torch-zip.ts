// Writes checkpoints in PyTorch's zip format (what torch.save produces):
// stored entries, each entry's data aligned to 64 bytes with an "FB" padding
// extra field, data descriptors after the data (flag 0x0808), all under a top
// folder named after the file stem. Tensor bytes are zeros and are never
// written: the writer only places headers, the pickle and the central
// directory, so a 46 MB checkpoint costs a few KB of disk (sparse holes).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { crc32OfZeros } from './zero-crc.js';
import { pickleCheckpoint, type PyValue } from './pickle-writer.js';

/** Bytes to place at an offset; everything between segments stays a hole of zeros. */
export interface ZipSegment {
  offset: number;
  data: Buffer;
}

/** One entry of the archive as laid out on disk. */
export interface TorchZipEntry {
  name: string;
  headerOffset: number;
  dataOffset: number;
  size: number;
  crc32: number;
  /** True when the data is all zeros and left unwritten. */
  zeros: boolean;
}

/** A complete archive: its final size, the bytes to write, and its entries. */
export interface TorchZipLayout {
  size: number;
  segments: ZipSegment[];
  entries: TorchZipEntry[];
}

const ALIGN = 64;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
const DESCRIPTOR = 16;
const FLAGS = 0x0808; // data descriptor + UTF-8 names, as torch writes
const VERSION = 20;
// 0xFFFFFFFF itself means "see ZIP64", so every field must stay strictly below it.
const ZIP32_LIMIT = 0xffffffff;
// Gaps shorter than this are written as zeros: they share a disk block with
// their neighbours anyway, and fewer writes make generation faster.
const MERGE_GAP = 4096;

/** The archive folder name torch uses for a path: the file name without its extension. */
export function torchStem(filePath: string): string {
  const base = path.basename(filePath);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

function assertZip32(what: string, n: number): void {
  if (n >= ZIP32_LIMIT) {
    throw new RangeError(`torch zip: ${what} (${n} bytes) needs ZIP64, which this writer does not support (limit 4 GiB)`);
  }
}

// torch stores 40 random digits; derived from the content here so the demo is reproducible.
function serializationId(pickle: Buffer): Buffer {
  const digest = createHash('sha256').update(pickle).digest();
  let digits = '';
  for (let i = 0; digits.length < 40; i++) digits += String(digest[i % digest.length] % 10);
  return Buffer.from(digits);
}

interface PlannedEntry {
  name: string;
  data?: Buffer;
  zeroBytes?: number;
}

/** Lays out a torch zip holding `value` (its tensors all zero) under the folder `stem`. */
export function layoutTorchZip(stem: string, value: PyValue, modified = new Date()): TorchZipLayout {
  const { pickle, storages } = pickleCheckpoint(value);
  // Entry names and order as torch 2.x writes them.
  const planned: PlannedEntry[] = [
    { name: `${stem}/data.pkl`, data: pickle },
    { name: `${stem}/.format_version`, data: Buffer.from('1') },
    { name: `${stem}/.storage_alignment`, data: Buffer.from(String(ALIGN)) },
    { name: `${stem}/byteorder`, data: Buffer.from('little') },
    ...storages.map((s) => ({ name: `${stem}/data/${s.key}`, zeroBytes: s.tensor.nbytes })),
    { name: `${stem}/version`, data: Buffer.from('3\n') },
    { name: `${stem}/.data/serialization_id`, data: serializationId(pickle) },
  ];
  const { time, date } = dosDateTime(modified);
  const segments: ZipSegment[] = [];
  const entries: TorchZipEntry[] = [];
  let cursor = 0;

  for (const p of planned) {
    const name = Buffer.from(p.name, 'utf8');
    const size = p.data ? p.data.length : (p.zeroBytes ?? 0);
    assertZip32(`entry ${p.name}`, size);
    assertZip32('offset', cursor);
    // Padding so the data starts on a 64-byte boundary, after the 4-byte FB field header.
    const unpadded = cursor + LOCAL_HEADER + name.length + 4;
    const pad = (ALIGN - (unpadded % ALIGN)) % ALIGN;
    const header = Buffer.alloc(LOCAL_HEADER + name.length + 4 + pad, 'Z');
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(0, 14); // crc and sizes live in the descriptor
    header.writeUInt32LE(0, 18);
    header.writeUInt32LE(0, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(4 + pad, 28);
    name.copy(header, LOCAL_HEADER);
    header.write('FB', LOCAL_HEADER + name.length, 'latin1');
    header.writeUInt16LE(pad, LOCAL_HEADER + name.length + 2);

    const crc = p.data ? zlib.crc32(p.data) : crc32OfZeros(size);
    const entry: TorchZipEntry = {
      name: p.name,
      headerOffset: cursor,
      dataOffset: cursor + header.length,
      size,
      crc32: crc,
      zeros: !p.data,
    };
    entries.push(entry);
    segments.push({ offset: cursor, data: header });
    if (p.data) segments.push({ offset: entry.dataOffset, data: p.data });
    const descriptor = Buffer.alloc(DESCRIPTOR);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(size, 8);
    descriptor.writeUInt32LE(size, 12);
    segments.push({ offset: entry.dataOffset + size, data: descriptor });
    cursor = entry.dataOffset + size + DESCRIPTOR;
  }

  const cdOffset = cursor;
  assertZip32('central directory offset', cdOffset);
  const central: Buffer[] = entries.map((e) => {
    const name = Buffer.from(e.name, 'utf8');
    const h = Buffer.alloc(CENTRAL_HEADER + name.length);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE(VERSION, 4); // made by (MS-DOS attributes, like torch)
    h.writeUInt16LE(VERSION, 6);
    h.writeUInt16LE(FLAGS, 8);
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(time, 12);
    h.writeUInt16LE(date, 14);
    h.writeUInt32LE(e.crc32, 16);
    h.writeUInt32LE(e.size, 20);
    h.writeUInt32LE(e.size, 24);
    h.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal and external attributes stay 0
    h.writeUInt32LE(e.headerOffset, 42);
    name.copy(h, CENTRAL_HEADER);
    return h;
  });
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(END_RECORD);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  segments.push({ offset: cdOffset, data: Buffer.concat([cd, end]) });
  const size = cdOffset + cd.length + END_RECORD;
  assertZip32('archive', size);
  return { size, segments: mergeSegments(segments), entries };
}

function mergeSegments(segments: ZipSegment[]): ZipSegment[] {
  const merged: ZipSegment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    const lastEnd = last ? last.offset + last.data.length : -Infinity;
    if (last && s.offset - lastEnd <= MERGE_GAP) {
      last.data = Buffer.concat([last.data, Buffer.alloc(s.offset - lastEnd), s.data]);
    } else {
      merged.push({ offset: s.offset, data: s.data });
    }
  }
  return merged;
}

/** Writes `value` as a torch checkpoint at `filePath` (replacing it), leaving the tensor data as holes. */
export async function writeTorchZip(
  filePath: string,
  value: PyValue,
  opts: { stem?: string; modified?: Date } = {},
): Promise<TorchZipLayout> {
  const layout = layoutTorchZip(opts.stem ?? torchStem(filePath), value, opts.modified);
  const fh = await open(filePath, 'w');
  try {
    // The central directory is the last segment, so it also sets the final size.
    for (const s of layout.segments) await fh.write(s.data, 0, s.data.length, s.offset);
  } finally {
    await fh.close();
  }
  return layout;
}
