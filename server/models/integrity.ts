// Is a checkpoint whole? A quick structural check for every file on scan
// (zip end records, central directory, every local header and its data
// inside the file, the storages the pickle needs; safetensors header and
// offsets; legacy storage records), and the "writing" rule that keeps a file
// being saved from ever being called corrupt.
import type { Checkpoint } from '../../shared/schemas/entry.js';
import type { ByteSource } from './byte-source.js';
import { detectFormat, type ModelFormat } from './detect.js';
import { corrupt, messageOf, problemOf } from './errors.js';
import { legacyStorageOffsets, readLegacy } from './legacy.js';
import type { PickleResult } from './pickle.js';
import { checkSafetensorsLayout, readSafetensorsHeader } from './safetensors.js';
import { checkTorchStorages, DEFAULT_MAX_PICKLE_BYTES, readTorchZip, type PickleReadOptions } from './torch-file.js';
import { entryDataOffset, type ZipDirectory } from './zip.js';

/** A file whose size or mtime changed this recently is being written (PRODUCT.md "Writing"). */
export const WRITING_RECENT_MS = 10_000;
/** A truncated file modified this recently is still being written, not broken. */
export const WRITING_TRUNCATED_MS = 120_000;

/** ok | corrupt | truncated | unchecked | writing, as the API names them. */
export type IntegrityStatus = Checkpoint['integrity']['status'];

/** A status and, when not ok, a short reason. */
export interface Integrity {
  status: IntegrityStatus;
  detail?: string;
  /** Set by the full check (every CRC), as opposed to the quick structural one. */
  full?: boolean;
}

export const OK: Integrity = { status: 'ok' };

/** The status a reader's error means: truncated and corrupt as they are; over a cap or unsupported is not a verdict. */
export function integrityFromError(err: unknown): Integrity {
  const problem = problemOf(err);
  const detail = messageOf(err);
  if (problem === 'truncated') return { status: 'truncated', detail };
  if (problem === 'corrupt') return { status: 'corrupt', detail };
  return { status: 'unchecked', detail: `not checked: ${detail}` };
}

/** When the file was last seen to change: its mtime, or a later size/mtime change the caller observed. */
export interface ChangeClock {
  mtimeMs: number;
  /** When the caller (scan index, watcher) last saw this file's size or mtime change. */
  changedAtMs?: number;
  now: number;
}

/** Applies the writing rule: recent changes are `writing`, and so is a recently modified truncated file. */
export function applyWriting(result: Integrity, clock: ChangeClock): Integrity {
  const lastChange = Math.max(clock.mtimeMs, clock.changedAtMs ?? -Infinity);
  // An mtime in the future (a skewed clock) counts as recent: it keeps the file from being called corrupt.
  const age = clock.now - lastChange;
  if (age < WRITING_RECENT_MS) return { status: 'writing', detail: 'modified in the last 10 seconds' };
  if (result.status === 'truncated' && age < WRITING_TRUNCATED_MS) {
    return { status: 'writing', detail: `incomplete and modified in the last 2 minutes (${result.detail ?? 'truncated'})` };
  }
  return result;
}

/** Every entry's local header and data lie inside the file, before the directory, without overlapping. */
export function checkZipLayout(src: ByteSource, dir: ZipDirectory): void {
  const spans: Array<[number, number, string]> = [];
  for (const e of dir.entries) {
    const data = entryDataOffset(src, dir, e);
    spans.push([e.headerOffset, data + e.compressedSize, e.name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw corrupt(`zip entries ${spans[i - 1][2]} and ${spans[i][2]} overlap`);
  }
}

/** The quick structural check of a torch zip, given its directory and pickle. */
export function checkTorchZip(src: ByteSource, dir: ZipDirectory, pickle: PickleResult): Integrity {
  try {
    checkZipLayout(src, dir);
    checkTorchStorages(dir, pickle);
    return OK;
  } catch (err) {
    return integrityFromError(err);
  }
}

/** The quick check of one file on its own, whatever its format; never throws for a bad file. */
export function quickIntegrity(src: ByteSource, opts: Partial<PickleReadOptions> & { format?: ModelFormat } = {}): Integrity {
  const read: PickleReadOptions = { maxPickleBytes: opts.maxPickleBytes ?? DEFAULT_MAX_PICKLE_BYTES, limits: opts.limits };
  try {
    const format = opts.format ?? detectFormat(src);
    switch (format) {
      case 'torch-zip': {
        const { dir, pickle } = readTorchZip(src, read);
        return checkTorchZip(src, dir, pickle);
      }
      case 'torch-legacy':
        legacyStorageOffsets(src, readLegacy(src, read.maxPickleBytes, read.limits));
        return OK;
      case 'safetensors':
        checkSafetensorsLayout(readSafetensorsHeader(src), src.size);
        return OK;
      default:
        return { status: 'unchecked', detail: 'not a recognised model format' };
    }
  } catch (err) {
    return integrityFromError(err);
  }
}
