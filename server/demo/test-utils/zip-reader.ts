// Test-only zip reader, written independently of torch-zip.ts: it trusts only
// the end record, the central directory and the local headers it parses.
import { open, type FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';

export interface ZipEntryInfo {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  headerOffset: number;
  dataOffset: number;
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new Error(`short read at ${offset}: ${bytesRead}/${length}`);
  return buf;
}

/** Parses the archive structure; throws on anything inconsistent. */
export async function readZip(file: string): Promise<{ size: number; entries: ZipEntryInfo[] }> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(fh, size - tailLength, tailLength);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error('no end of central directory record');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset + cdSize !== size - tailLength + eocd) throw new Error('central directory does not end at the end record');
    const cd = await readAt(fh, cdOffset, cdSize);
    const entries: ZipEntryInfo[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central header ${i}`);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
      const headerOffset = cd.readUInt32LE(p + 42);
      const local = await readAt(fh, headerOffset, 30);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
      const localName = (await readAt(fh, headerOffset + 30, local.readUInt16LE(26))).toString('utf8');
      if (localName !== name) throw new Error(`local name ${localName} != ${name}`);
      entries.push({
        name,
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        headerOffset,
        dataOffset: headerOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28),
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    if (p !== cdSize) throw new Error('central directory size mismatch');
    const sorted = [...entries].sort((a, b) => a.headerOffset - b.headerOffset);
    for (let i = 0; i < sorted.length; i++) {
      const e = sorted[i];
      const end = e.dataOffset + e.compressedSize + ((e.flags & 8) !== 0 ? 16 : 0);
      const limit = i + 1 < sorted.length ? sorted[i + 1].headerOffset : cdOffset;
      if (end > limit) throw new Error(`entry ${e.name} overlaps what follows it`);
      if ((e.flags & 8) !== 0) {
        const d = await readAt(fh, e.dataOffset + e.compressedSize, 16);
        if (d.readUInt32LE(0) !== 0x08074b50 || d.readUInt32LE(4) !== e.crc32 || d.readUInt32LE(12) !== e.size) {
          throw new Error(`data descriptor of ${e.name} disagrees with the central directory`);
        }
      }
    }
    return { size, entries };
  } finally {
    await fh.close();
  }
}

/** The stored bytes of an entry. */
export async function readEntry(file: string, entry: ZipEntryInfo): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    return await readAt(fh, entry.dataOffset, entry.compressedSize);
  } finally {
    await fh.close();
  }
}

/** CRC-32 of an entry computed by streaming its bytes (for big entries). */
export async function crcOfEntry(file: string, entry: ZipEntryInfo): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const chunk = Buffer.alloc(4 << 20);
    let crc = 0;
    for (let done = 0; done < entry.compressedSize; ) {
      const n = Math.min(chunk.length, entry.compressedSize - done);
      const { bytesRead } = await fh.read(chunk, 0, n, entry.dataOffset + done);
      if (bytesRead !== n) throw new Error('short read');
      crc = zlib.crc32(chunk.subarray(0, n), crc);
      done += n;
    }
    return crc;
  } finally {
    await fh.close();
  }
}
