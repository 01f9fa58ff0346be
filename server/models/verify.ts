// The full check, for the "verify" job: every zip entry's CRC-32 computed
// over its data (zlib.crc32, streamed in chunks) and compared with the
// central directory. Asynchronous so a job can report progress and be
// cancelled between chunks without blocking the event loop for long.
import { read } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { fdSource } from './byte-source.js';
import { truncated } from './errors.js';
import { detectFormat } from './detect.js';
import { checkZipLayout, integrityFromError, quickIntegrity, type Integrity } from './integrity.js';
import { entryDataOffset, readZipDirectory, type ZipDirectory } from './zip.js';

const readAsync = promisify(read);

/** Progress of a full check. */
export interface VerifyProgress {
  bytesDone: number;
  bytesTotal: number;
  entriesDone: number;
  entriesTotal: number;
}

/** Options of verifyCheckpointFile. */
export interface VerifyOptions {
  signal?: AbortSignal;
  onProgress?: (p: VerifyProgress) => void;
  /** Bytes read per step (default 4 MiB). */
  chunkBytes?: number;
}

/** The full check's verdict and, for a zip, the entries (relative to the top folder) whose CRC-32 differs. */
export interface VerifyResult extends Integrity {
  failures: string[];
  /** Entries whose data could not be checked (compressed), by name. */
  skipped: string[];
  bytesChecked: number;
}

function relName(dir: ZipDirectory, name: string): string {
  return dir.top !== '' && name.startsWith(`${dir.top}/`) ? name.slice(dir.top.length + 1) : name;
}

async function crcZip(fd: number, size: number, dir: ZipDirectory, opts: VerifyOptions): Promise<VerifyResult> {
  const src = fdSource(fd, size);
  checkZipLayout(src, dir);
  const chunk = Buffer.allocUnsafe(Math.max(4096, opts.chunkBytes ?? 4 * 1024 * 1024));
  const progress: VerifyProgress = { bytesDone: 0, bytesTotal: 0, entriesDone: 0, entriesTotal: dir.entries.length };
  for (const e of dir.entries) if (e.method === 0) progress.bytesTotal += e.size;
  const failures: string[] = [];
  const skipped: string[] = [];
  // Every report is followed by a cancellation check, so an abort from the callback stops the work at once.
  const report = (): void => {
    opts.onProgress?.({ ...progress });
    opts.signal?.throwIfAborted();
  };
  for (const e of dir.entries) {
    if (e.method !== 0) {
      skipped.push(relName(dir, e.name)); // torch never compresses; other tools' deflated entries are left to them
      progress.entriesDone++;
      continue;
    }
    let pos = entryDataOffset(src, dir, e);
    let left = e.size;
    let crc = 0;
    while (left > 0) {
      opts.signal?.throwIfAborted();
      const { bytesRead } = await readAsync(fd, chunk, 0, Math.min(chunk.length, left), pos);
      if (bytesRead === 0) throw truncated(`${e.name} ends early: the file shrank during the check`);
      crc = zlib.crc32(chunk.subarray(0, bytesRead), crc);
      pos += bytesRead;
      left -= bytesRead;
      progress.bytesDone += bytesRead;
      report();
    }
    if (crc >>> 0 !== e.crc32 >>> 0) failures.push(relName(dir, e.name));
    progress.entriesDone++;
    report();
  }
  const base = { failures, skipped, bytesChecked: progress.bytesDone };
  if (failures.length > 0) {
    const shown = failures.slice(0, 5).join(', ') + (failures.length > 5 ? ` and ${failures.length - 5} more` : '');
    return { status: 'corrupt', detail: `CRC-32 mismatch in ${shown}`, ...base };
  }
  return { status: 'ok', ...(skipped.length ? { detail: `${skipped.length} compressed entries not checked` } : {}), ...base };
}

/**
 * Full check of one file through its descriptor. Zips (torch files) have every
 * entry's CRC-32 checked; safetensors and legacy files carry no checksums, so
 * they get the quick structural check. Rejects only when aborted.
 */
export async function verifyCheckpointFile(fd: number, size: number, opts: VerifyOptions = {}): Promise<VerifyResult> {
  opts.signal?.throwIfAborted();
  const src = fdSource(fd, size);
  const format = detectFormat(src);
  if (format !== 'torch-zip') {
    const quick = quickIntegrity(src, { format });
    const note = format === 'unknown' ? quick.detail : [quick.detail, 'no checksums in this format'].filter(Boolean).join('; ');
    return { ...quick, ...(note ? { detail: note } : {}), failures: [], skipped: [], bytesChecked: 0 };
  }
  const quick = quickIntegrity(src, { format });
  if (quick.status !== 'ok') return { ...quick, failures: [], skipped: [], bytesChecked: 0 };
  try {
    return await crcZip(fd, size, readZipDirectory(src), opts);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    return { ...integrityFromError(err), failures: [], skipped: [], bytesChecked: 0 };
  }
}
