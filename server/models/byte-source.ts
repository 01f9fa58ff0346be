// Readers see a file as a size plus bounded positional reads, so they work
// the same on a descriptor opened through RootFs, on any file in a test, and
// on an in-memory buffer; none of them ever reads a whole file to get at its
// metadata.
import { readSync } from 'node:fs';
import { truncated } from './errors.js';

/** Random access to a file's bytes. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `position`; shorter only at the end of the file. */
  read(position: number, length: number): Buffer;
}

/** A source over an open descriptor; the caller keeps ownership of `fd`. */
export function fdSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(position, length) {
      const want = Math.max(0, Math.min(length, size - position));
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, got, want - got, position + got);
        // The file shrank under us: hand back what exists, callers see a short read.
        if (n === 0) break;
        got += n;
      }
      return got === want ? buf : buf.subarray(0, got);
    },
  };
}

/** A source over bytes already in memory. */
export function bufferSource(data: Uint8Array): ByteSource {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return {
    size: buf.length,
    read(position, length) {
      if (position >= buf.length || length <= 0) return Buffer.alloc(0);
      return buf.subarray(position, Math.min(buf.length, position + length));
    },
  };
}

/** Exactly `length` bytes at `position`, or a `truncated` error naming `what`. */
export function readExact(src: ByteSource, position: number, length: number, what: string): Buffer {
  if (position < 0 || position + length > src.size) {
    throw truncated(`${what} lies beyond the end of the file (bytes ${position}–${position + length} of ${src.size})`);
  }
  const buf = src.read(position, length);
  if (buf.length !== length) throw truncated(`${what}: the file ended early (read ${buf.length} of ${length} bytes)`);
  return buf;
}
