// One entry point per checkpoint file: format by content, metadata, and the
// quick integrity check, with the writing rule applied. A bad file never
// makes it throw: what went wrong lands in `integrity` and `error`.
import type { ByteSource } from './byte-source.js';
import { fdSource } from './byte-source.js';
import { emptyInfo, type CheckpointInfo } from './checkpoint-info.js';
import { messageOf } from './errors.js';
import { applyWriting, checkTorchZip, integrityFromError, OK, type Integrity } from './integrity.js';
import { legacyStorageOffsets, readLegacy, startsWithLegacyMagic } from './legacy.js';
import { extractMetadata, type ModelMetadata } from './metadata.js';
import type { PickleLimits } from './pickle.js';
import { checkSafetensorsLayout, looksLikeSafetensors, readSafetensorsHeader, safetensorsMetadata } from './safetensors.js';
import { DEFAULT_MAX_PICKLE_BYTES, isTorchDirectory, readTorchZip, salvageTorchPickle, scalarReader, zipScalarReader, type PickleReadOptions } from './torch-file.js';
import { endsLikeZip, firstLocalEntry, looksLikeZip, readZipDirectory } from './zip.js';

export type { CheckpointInfo } from './checkpoint-info.js';

/** Options of readCheckpoint. */
export interface ReadOptions {
  /** The clock for the writing rule (default Date.now()); tests pass their own. */
  now?: number;
  /** When the caller last saw this file's size or mtime change. */
  changedAtMs?: number;
  /** Largest pickle read into memory (default 256 MiB). */
  maxPickleBytes?: number;
  limits?: Partial<PickleLimits>;
}

/** Metadata from any format: safetensors has no globals and no optimizer. */
type FormatMetadata = Omit<ModelMetadata, 'globals' | 'unsafe' | 'optimizer'> & Partial<Pick<ModelMetadata, 'globals' | 'unsafe' | 'optimizer'>>;

function withMetadata(info: CheckpointInfo, meta: FormatMetadata): CheckpointInfo {
  const { optimizer, ...rest } = meta;
  return { ...info, ...rest, ...(optimizer ? { optimizerBytes: optimizer.bytes } : {}), integrity: info.integrity };
}

function readZipFile(src: ByteSource, read: PickleReadOptions): CheckpointInfo {
  let dir;
  try {
    dir = readZipDirectory(src);
  } catch (err) {
    const integrity = integrityFromError(err);
    const first = firstLocalEntry(src);
    const torch = first !== null && (first.name === 'data.pkl' || first.name.endsWith('/data.pkl'));
    const info = emptyInfo(torch ? 'torch-zip' : 'unknown', integrity);
    if (!torch) return info;
    // The end is missing (an interrupted save); data.pkl comes first and may be whole.
    try {
      const pickle = salvageTorchPickle(src, read);
      return pickle ? withMetadata(info, extractMetadata(pickle)) : info;
    } catch (salvageErr) {
      return { ...info, error: messageOf(salvageErr) };
    }
  }
  if (!isTorchDirectory(dir)) return emptyInfo('unknown', { status: 'unchecked', detail: 'a zip archive without data.pkl: not a torch checkpoint' });
  try {
    const { pickle } = readTorchZip(src, read);
    const meta = extractMetadata(pickle, zipScalarReader(src, dir));
    return withMetadata(emptyInfo('torch-zip', checkTorchZip(src, dir, pickle)), meta);
  } catch (err) {
    return { ...emptyInfo('torch-zip', integrityFromError(err)), error: messageOf(err) };
  }
}

function readLegacyFile(src: ByteSource, read: PickleReadOptions): CheckpointInfo {
  try {
    const file = readLegacy(src, read.maxPickleBytes, read.limits);
    let integrity: Integrity = OK;
    let offsets: Map<string, number> | undefined;
    try {
      offsets = legacyStorageOffsets(src, file);
    } catch (err) {
      integrity = integrityFromError(err);
    }
    const reader = offsets
      ? scalarReader(src, (key) => {
          const offset = offsets!.get(key);
          const s = file.result.storages.get(key);
          return offset !== undefined && s ? { offset, length: s.nbytes } : undefined;
        })
      : undefined;
    return withMetadata(emptyInfo('torch-legacy', integrity), extractMetadata(file.result, reader));
  } catch (err) {
    return { ...emptyInfo('torch-legacy', integrityFromError(err)), error: messageOf(err) };
  }
}

function readSafetensorsFile(src: ByteSource): CheckpointInfo {
  try {
    const header = readSafetensorsHeader(src);
    let integrity: Integrity = OK;
    try {
      checkSafetensorsLayout(header, src.size);
    } catch (err) {
      integrity = integrityFromError(err);
    }
    return withMetadata(emptyInfo('safetensors', integrity), safetensorsMetadata(header));
  } catch (err) {
    return { ...emptyInfo('safetensors', integrityFromError(err)), error: messageOf(err) };
  }
}

/** Reads a checkpoint from any byte source (a buffer in tests, a descriptor in the app). */
export function readCheckpointSource(src: ByteSource, mtimeMs: number, opts: ReadOptions = {}): CheckpointInfo {
  const read: PickleReadOptions = { maxPickleBytes: opts.maxPickleBytes ?? DEFAULT_MAX_PICKLE_BYTES, limits: opts.limits };
  let info: CheckpointInfo;
  try {
    const head = src.read(0, 64);
    if (src.size === 0) info = emptyInfo('unknown', { status: 'truncated', detail: 'empty file' });
    else if (looksLikeZip(head)) info = readZipFile(src, read);
    else if (startsWithLegacyMagic(head)) info = readLegacyFile(src, read);
    else if (looksLikeSafetensors(head)) info = readSafetensorsFile(src);
    // A damaged start with an intact end: still a zip, and its directory says whether it is torch's.
    else if (endsLikeZip(src)) info = readZipFile(src, read);
    else info = emptyInfo('unknown', { status: 'unchecked', detail: 'not a recognised model format' });
  } catch (err) {
    // An I/O error (EIO, a file that vanished): nothing is known about the contents.
    info = { ...emptyInfo('unknown', integrityFromError(err)), error: messageOf(err) };
  }
  return { ...info, integrity: applyWriting(info.integrity, { mtimeMs, changedAtMs: opts.changedAtMs, now: opts.now ?? Date.now() }) };
}

/**
 * Reads one checkpoint file through an open descriptor (from RootFs.openFile):
 * format, metadata and quick integrity. Never throws for a bad file.
 */
export function readCheckpoint(fd: number, size: number, mtimeMs: number, opts: ReadOptions = {}): CheckpointInfo {
  return readCheckpointSource(fdSource(fd, size), mtimeMs, opts);
}
