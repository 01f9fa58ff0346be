// Test-only: writes zip archives the way torch does (stored entries under a
// top folder), optionally with ZIP64 records even when small (like Python's
// force_zip64), with an archive comment, and with zero-filled entries left
// as sparse holes so multi-GB archives cost no disk.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import zlib from 'node:zlib';
import { crc32OfZeros } from '../../demo/zero-crc.js';

/** An entry: bytes, or a count of zero bytes never written. */
export interface BuildEntry {
  name: string;
  data?: Buffer;
  zeros?: number;
  /** Store `data` deflated (method 8) instead of stored. */
  deflate?: boolean;
}

/** Options of writeZip. */
export interface BuildOptions {
  /** Write ZIP64 extra fields, end record and locator for every entry. */
  zip64?: boolean;
  comment?: Buffer;
}

const FF32 = 0xffffffff;

/** Writes the archive at `file`; returns its size and each entry's header and data offsets. */
export function writeZip(file: string, entries: BuildEntry[], opts: BuildOptions = {}): { size: number; offsets: Array<{ header: number; data: number }> } {
  const fd = openSync(file, 'w');
  const z64 = opts.zip64 === true;
  const central: Buffer[] = [];
  const offsets: Array<{ header: number; data: number }> = [];
  let cursor = 0;
  const put = (b: Buffer, at: number): void => {
    writeSync(fd, b, 0, b.length, at);
  };
  try {
    for (const e of entries) {
      const name = Buffer.from(e.name, 'utf8');
      const size = e.data ? e.data.length : (e.zeros ?? 0);
      const crc = e.data ? zlib.crc32(e.data) : crc32OfZeros(size);
      const stored = e.data && e.deflate ? zlib.deflateRawSync(e.data) : e.data;
      const csize = stored ? stored.length : size;
      const method = e.deflate ? 8 : 0;
      const localExtra = z64 ? Buffer.alloc(20) : Buffer.alloc(0);
      if (z64) {
        localExtra.writeUInt16LE(1, 0);
        localExtra.writeUInt16LE(16, 2);
        localExtra.writeBigUInt64LE(BigInt(size), 4);
        localExtra.writeBigUInt64LE(BigInt(csize), 12);
      }
      const h = Buffer.alloc(30);
      h.writeUInt32LE(0x04034b50, 0);
      h.writeUInt16LE(z64 ? 45 : 20, 4);
      h.writeUInt16LE(0x0800, 6);
      h.writeUInt16LE(method, 8);
      h.writeUInt32LE(crc, 14);
      h.writeUInt32LE(z64 ? FF32 : csize, 18);
      h.writeUInt32LE(z64 ? FF32 : size, 22);
      h.writeUInt16LE(name.length, 26);
      h.writeUInt16LE(localExtra.length, 28);
      const header = Buffer.concat([h, name, localExtra]);
      put(header, cursor);
      const dataAt = cursor + header.length;
      if (stored) put(stored, dataAt);
      offsets.push({ header: cursor, data: dataAt });

      const cExtra = z64 ? Buffer.alloc(28) : Buffer.alloc(0);
      if (z64) {
        cExtra.writeUInt16LE(1, 0);
        cExtra.writeUInt16LE(24, 2);
        cExtra.writeBigUInt64LE(BigInt(size), 4);
        cExtra.writeBigUInt64LE(BigInt(csize), 12);
        cExtra.writeBigUInt64LE(BigInt(cursor), 20);
      }
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(z64 ? 45 : 20, 4);
      c.writeUInt16LE(z64 ? 45 : 20, 6);
      c.writeUInt16LE(0x0800, 8);
      c.writeUInt16LE(method, 10);
      c.writeUInt32LE(crc, 16);
      c.writeUInt32LE(z64 ? FF32 : csize, 20);
      c.writeUInt32LE(z64 ? FF32 : size, 24);
      c.writeUInt16LE(name.length, 28);
      c.writeUInt16LE(cExtra.length, 30);
      c.writeUInt32LE(z64 ? FF32 : cursor, 42);
      central.push(Buffer.concat([c, name, cExtra]));
      cursor = dataAt + csize;
    }
    const cd = Buffer.concat(central);
    const cdOffset = cursor;
    put(cd, cdOffset);
    cursor += cd.length;
    if (z64) {
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(0x06064b50, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(entries.length), 24);
      rec.writeBigUInt64LE(BigInt(entries.length), 32);
      rec.writeBigUInt64LE(BigInt(cd.length), 40);
      rec.writeBigUInt64LE(BigInt(cdOffset), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(cursor), 8);
      loc.writeUInt32LE(1, 16);
      put(Buffer.concat([rec, loc]), cursor);
      cursor += 76;
    }
    const comment = opts.comment ?? Buffer.alloc(0);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(z64 ? 0xffff : entries.length, 8);
    end.writeUInt16LE(z64 ? 0xffff : entries.length, 10);
    end.writeUInt32LE(z64 ? FF32 : cd.length, 12);
    end.writeUInt32LE(z64 ? FF32 : cdOffset, 16);
    end.writeUInt16LE(comment.length, 20);
    put(Buffer.concat([end, comment]), cursor);
    cursor += 22 + comment.length;
    ftruncateSync(fd, cursor);
    return { size: cursor, offsets };
  } finally {
    closeSync(fd);
  }
}

/** A torch checkpoint: `<top>/data.pkl` first, then each storage as `<top>/data/<key>`, then `<top>/version`. */
export function writeTorchZip(
  file: string,
  top: string,
  pickle: Buffer,
  storages: Array<{ key: string; data?: Buffer; zeros?: number }>,
  opts: BuildOptions = {},
): ReturnType<typeof writeZip> {
  return writeZip(
    file,
    [
      { name: `${top}/data.pkl`, data: pickle },
      ...storages.map((s) => ({ name: `${top}/data/${s.key}`, data: s.data, zeros: s.zeros })),
      { name: `${top}/version`, data: Buffer.from('3\n') },
    ],
    opts,
  );
}
