// Reads a backup archive through an open descriptor: gunzip, then the tar
// entries one by one, hashing each entry's data as it passes and handing it
// to an optional writer (restore). One pass serves the writer's read-back,
// the listing, the verify job and restore.
import { createHash } from 'node:crypto';
import { read } from 'node:fs';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ApiError } from '../errors.js';
import { MANIFEST_MAX_BYTES, parseManifest, type Manifest } from './manifest.js';
import { MANIFEST_NAME } from './names.js';

const readAsync = promisify(read);
const CHUNK_BYTES = 1024 * 1024;

/**
 * The file's bytes from its start, by positional reads. Not an fs.ReadStream:
 * a stream destroyed by an error closes the descriptor it was given, and the
 * caller's later close could then hit another file that reused the number.
 */
async function* chunksOf(fd: number, progress: (pos: number) => void, stop: { now: boolean }): AsyncGenerator<Buffer> {
  for (let pos = 0; !stop.now; ) {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await readAsync(fd, buf, 0, CHUNK_BYTES, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    progress(pos);
    yield buf.subarray(0, bytesRead);
  }
}

/** An entry's data as read: size and (when hashed) sha256. */
export interface ArchiveEntry {
  name: string;
  size: number;
  sha256?: string;
}

/** What one pass over an archive found. */
export interface ArchiveScan {
  manifest?: Manifest;
  /** Every entry but the MANIFEST, in archive order. */
  entries: ArchiveEntry[];
  /** Compressed bytes read (the archive's size when the pass got to the end). */
  bytesRead: number;
}

/** Receives one entry's data, chunk by chunk, in order (restore). */
export interface EntryWriter {
  write(chunk: Buffer): Promise<void>;
}

export interface ReadArchiveOptions {
  signal?: AbortSignal;
  /** Hash every entry (default true); the listing only needs the MANIFEST. */
  hash?: boolean;
  /** Compressed bytes read so far (out of the archive's size). */
  onProgress?: (done: number) => void;
  /** A writer for an entry's data, or undefined to only hash it. */
  writerFor?: (entry: { name: string; size: number }) => Promise<EntryWriter | undefined>;
}

/** Archive problems are plain Errors with this name, so callers can tell them from I/O failures. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/** Reads the archive at `fd` from its start. Throws ArchiveError for a broken gzip/tar or a malformed MANIFEST. */
export async function readArchive(fd: number, opts: ReadArchiveOptions = {}): Promise<ArchiveScan> {
  opts.signal?.throwIfAborted();
  const extract = tar.extract();
  const out: ArchiveScan = { entries: [], bytesRead: 0 };
  const stop = { now: false };
  const progress = (pos: number) => {
    out.bytesRead = pos;
    opts.onProgress?.(pos);
  };
  let feedError: unknown;
  const feeding = pipeline(chunksOf(fd, progress, stop), createGunzip(), extract).catch((err: unknown) => {
    feedError = err;
  });
  const seen = new Set<string>();
  try {
    for await (const entry of extract) {
      opts.signal?.throwIfAborted();
      const { name, type, size = 0 } = entry.header;
      if (type !== 'file') throw new ArchiveError(`${name} is a ${type ?? 'strange entry'}, not a file`);
      if (seen.has(name)) throw new ArchiveError(`${name} appears twice`);
      seen.add(name);
      if (name === MANIFEST_NAME) {
        if (size > MANIFEST_MAX_BYTES) throw new ArchiveError(`${MANIFEST_NAME} is too large`);
        const parts: Buffer[] = [];
        for await (const chunk of entry) parts.push(chunk as Buffer);
        try {
          out.manifest = parseManifest(Buffer.concat(parts).toString('utf8'));
        } catch (err) {
          throw new ArchiveError((err as Error).message);
        }
        continue;
      }
      const hash = opts.hash === false ? undefined : createHash('sha256');
      const writer = await opts.writerFor?.({ name, size });
      let got = 0;
      for await (const chunk of entry) {
        opts.signal?.throwIfAborted();
        got += (chunk as Buffer).length;
        hash?.update(chunk as Buffer);
        if (writer) await writer.write(chunk as Buffer);
      }
      if (got !== size) throw new ArchiveError(`${name} ends early`);
      out.entries.push({ name, size, ...(hash ? { sha256: hash.digest('hex') } : {}) });
    }
  } catch (err) {
    // Leaving the loop early destroys the extractor; the feeding side then fails too and says nothing new.
    stop.now = true;
    extract.destroy();
    await feeding;
    throw named(err, opts.signal);
  }
  await feeding;
  if (feedError !== undefined) throw named(feedError, opts.signal);
  return out;
}

/** I/O errors and aborts as they are; anything gunzip or the tar parser says is the archive's fault. */
function named(err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (err instanceof ArchiveError || err instanceof ApiError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return err;
  return new ArchiveError(`not a complete tar.gz archive (${(err as Error)?.message ?? String(err)})`);
}

/** Everything an archive holds that its MANIFEST does not say, and the reverse; empty when they agree. */
export function compareWithManifest(scan: ArchiveScan): string[] {
  const m = scan.manifest;
  if (!m) return [`no ${MANIFEST_NAME} in the archive`];
  const problems: string[] = [];
  const byName = new Map(scan.entries.map((e) => [e.name, e]));
  for (const f of m.files) {
    const e = byName.get(f.name);
    if (!e) problems.push(`${f.name} (${f.path}) is missing from the archive`);
    else if (e.size !== f.size) problems.push(`${f.name}: ${e.size} bytes in the archive, ${f.size} in the manifest`);
    else if (e.sha256 !== undefined && e.sha256 !== f.sha256) problems.push(`${f.name}: sha256 differs from the manifest`);
    byName.delete(f.name);
  }
  for (const name of byName.keys()) problems.push(`${name} is in the archive but not in the manifest`);
  return problems;
}
