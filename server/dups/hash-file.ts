// Content hashes of one file under the root, read through RootFs (never a
// joined path, never a followed link) with async positional reads, so a
// tens-of-GB checkpoint never blocks the event loop for more than one chunk.
import { createHash } from 'node:crypto';
import { closeSync, read } from 'node:fs';
import { ApiError } from '../errors.js';
import type { RootFs } from '../fs/root-fs.js';
import { statEtag } from '../scan/etag.js';

/** Bytes taken from each end of a file for the partial hash. */
export const EDGE_BYTES = 64 * 1024;
/** Read size of the full hash. */
export const CHUNK_BYTES = 1024 * 1024;
/** Names the hash definitions above: a cache row of another scheme is a miss. */
export const HASH_SCHEME = 'sha256-e64k';

/** Why a file left the run: it is dropped from the result, the job goes on. */
export type DropReason = 'vanished' | 'changed' | 'unreadable';

/** A file that cannot be hashed as the index described it. */
export class FileDropped extends Error {
  constructor(
    readonly path: string,
    readonly reason: DropReason,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'FileDropped';
  }
}

/** Hashes of a file's content; `full` is set when the partial read already covered the whole file. */
export interface FileHashes {
  partial: string;
  full?: string;
}

/** What one hashing needs besides the file: where to read, when to stop, whom to tell about bytes. */
export interface HashIo {
  rootFs: RootFs;
  signal?: AbortSignal;
  onBytes(n: number): void;
}

/** The file as the index saw it. */
export interface FileRef {
  path: string;
  bytes: number;
  etag: string;
}

function dropReason(err: unknown): DropReason | undefined {
  if (err instanceof ApiError) {
    if (err.code === 'NOT_FOUND') return 'vanished';
    if (err.code === 'SYMLINK' || err.code === 'NOT_A_FILE') return 'changed';
    return 'unreadable';
  }
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? 'unreadable' : undefined;
}

function readAt(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Fills `length` bytes (short only at end of file). */
async function readFully(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const n = await readAt(fd, buf.subarray(got), length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Opens `f`, runs `work` on its descriptor, then re-lstats the path: content
 * read while the file was rewritten or replaced is worthless, so any etag
 * other than the index's drops the file instead of failing the run.
 */
async function withFile<T>(io: HashIo, f: FileRef, work: (fd: number) => Promise<T>): Promise<T> {
  io.signal?.throwIfAborted();
  let fd: number;
  try {
    const opened = io.rootFs.openFile(f.path);
    fd = opened.fd;
    if (statEtag(opened.stat) !== f.etag) {
      closeSync(fd);
      throw new FileDropped(f.path, 'changed');
    }
  } catch (err) {
    if (err instanceof FileDropped) throw err;
    const why = dropReason(err);
    if (why === undefined) throw err;
    throw new FileDropped(f.path, why);
  }
  let out: T;
  try {
    out = await work(fd);
  } catch (err) {
    const why = io.signal?.aborted ? undefined : dropReason(err);
    if (why === undefined) throw err;
    throw new FileDropped(f.path, why);
  } finally {
    closeSync(fd);
  }
  const now = currentEtag(io.rootFs, f.path);
  if (!('etag' in now)) throw new FileDropped(f.path, now.drop);
  if (now.etag !== f.etag) throw new FileDropped(f.path, 'changed');
  return out;
}

function sizeWord(bytes: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(bytes));
  return b;
}

/** Bytes a partial hash of a file of `bytes` reads. */
export function partialReadBytes(bytes: number): number {
  return Math.min(bytes, 2 * EDGE_BYTES);
}

/**
 * sha256 of the size and the first and last 64 KiB (without overlap). A file
 * of at most 128 KiB is read whole, so its full hash comes with it.
 */
export function hashPartial(io: HashIo, f: FileRef): Promise<FileHashes> {
  return withFile(io, f, async (fd) => {
    const h = createHash('sha256').update(sizeWord(f.bytes));
    if (f.bytes <= 2 * EDGE_BYTES) {
      const buf = Buffer.allocUnsafe(f.bytes);
      const n = await readFully(fd, buf, f.bytes, 0);
      if (n !== f.bytes) throw new FileDropped(f.path, 'changed');
      io.onBytes(n);
      h.update(buf);
      return { partial: h.digest('hex'), full: createHash('sha256').update(buf).digest('hex') };
    }
    const buf = Buffer.allocUnsafe(EDGE_BYTES);
    for (const at of [0, f.bytes - EDGE_BYTES]) {
      const n = await readFully(fd, buf, EDGE_BYTES, at);
      if (n !== EDGE_BYTES) throw new FileDropped(f.path, 'changed');
      io.onBytes(n);
      h.update(buf);
    }
    return { partial: h.digest('hex') };
  });
}

/** sha256 of the whole file, in 1 MiB chunks; the next chunk is read while this one is hashed. */
export function hashFull(io: HashIo, f: FileRef): Promise<string> {
  return withFile(io, f, async (fd) => {
    const h = createHash('sha256');
    const bufs = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
    let pos = 0;
    let i = 0;
    let pending: Promise<number> | null = f.bytes > 0 ? readFully(fd, bufs[0], Math.min(CHUNK_BYTES, f.bytes), 0) : null;
    try {
      while (pending !== null) {
        const want = Math.min(CHUNK_BYTES, f.bytes - pos);
        const n = await pending;
        pending = null;
        if (n !== want) throw new FileDropped(f.path, 'changed');
        pos += n;
        // Checked with no read in flight, so the descriptor can be closed at once.
        io.signal?.throwIfAborted();
        if (pos < f.bytes) pending = readFully(fd, bufs[i ^ 1], Math.min(CHUNK_BYTES, f.bytes - pos), pos);
        h.update(bufs[i].subarray(0, n));
        io.onBytes(n);
        i ^= 1;
      }
    } finally {
      // Never close a descriptor under a read still queued on the thread pool.
      if (pending !== null) await pending.catch(() => 0);
    }
    return h.digest('hex');
  });
}

/** The fresh etag of a regular file, or why it is no longer usable. */
export function currentEtag(rootFs: RootFs, path: string): { etag: string } | { drop: DropReason } {
  try {
    const st = rootFs.lstat(path);
    return st.isFile() ? { etag: statEtag(st) } : { drop: 'changed' };
  } catch (err) {
    return { drop: dropReason(err) ?? 'vanished' };
  }
}
