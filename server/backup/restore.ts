// Restores files of a backup to their original paths under the root. Every
// check that can refuse runs before anything is written: the manifest's
// paths (a crafted archive with `../` or absolute paths is refused whole),
// links on the way, existing targets (409 EXISTS unless overwrite was
// confirmed). Data goes to temp files beside the targets, each re-hashed
// from disk against the manifest, and only when all of them check out are
// they renamed into place.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsync, futimesSync, read, write, type BigIntStats } from 'node:fs';
import { promisify } from 'node:util';
import { ApiError } from '../errors.js';
import { splitRelPath } from '../fs/paths.js';
import type { RootFs } from '../fs/root-fs.js';
import { ArchiveError, readArchive, type ArchiveScan } from './archive.js';
import type { Manifest, ManifestFile } from './manifest.js';
import { unsafePaths, type BackupCatalog } from './read.js';
import { discard, place, stage, targetState, type StagedFile } from './restore-target.js';

const readAsync = promisify(read);
const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

export interface RestoreOptions {
  catalog: BackupCatalog;
  rootFs: RootFs;
  /** The archive's file name in the backups folder. */
  name: string;
  /** Original paths or archive names of the files to restore; absent: all of them. */
  files?: readonly string[];
  /** Replace existing files (the user confirmed). */
  overwrite?: boolean;
  signal?: AbortSignal;
  /** Compressed bytes read, out of the archive's size. */
  onProgress?: (done: number, total: number) => void;
}

/** What a restore wrote. */
export interface RestoreResult {
  name: string;
  restored: Array<{ path: string; name: string; bytes: number; replaced: boolean }>;
  ms: number;
}

/** The manifest's files that `wanted` names (by original path or archive name); all when absent. */
export function selectFiles(manifest: Manifest, wanted: readonly string[] | undefined): ManifestFile[] {
  if (wanted === undefined) return manifest.files;
  const out = new Set<ManifestFile>();
  for (const w of wanted) {
    const f = manifest.files.find((x) => x.path === w || x.name === w);
    if (!f) throw new ApiError(404, 'NOT_IN_BACKUP', `${w} is not in this backup`);
    out.add(f);
  }
  return [...out];
}

/**
 * Everything that refuses a restore before a byte is written: unsafe or
 * repeated manifest paths, links or non-folders on the way, and (without
 * `overwrite`) targets that exist. Returns the targets that exist.
 */
export function checkRestore(rootFs: RootFs, manifest: Manifest, selected: readonly ManifestFile[], overwrite: boolean): Set<string> {
  const bad = unsafePaths(manifest);
  if (bad.length > 0) throw new ApiError(400, 'INVALID_MANIFEST', `the backup's manifest names unsafe paths (${bad.slice(0, 3).map((p) => JSON.stringify(p)).join(', ')}); refused`);
  if (new Set(manifest.files.map((f) => f.path)).size !== manifest.files.length) throw new ApiError(400, 'INVALID_MANIFEST', "the backup's manifest names a path twice; refused");
  const existing = new Set<string>();
  for (const f of selected) if (targetState(rootFs, splitRelPath(f.path)) === 'file') existing.add(f.path);
  if (existing.size > 0 && !overwrite) {
    const list = [...existing];
    throw new ApiError(409, 'EXISTS', `${list.length === 1 ? `${list[0]} exists` : `${list.length} files exist`}; confirm overwrite to replace`, { paths: list });
  }
  return existing;
}

async function manifestOf(o: RestoreOptions, fd: number, stat: BigIntStats): Promise<Manifest> {
  const cached = o.catalog.cachedManifest(o.name, stat);
  if (cached) return cached;
  let scan: ArchiveScan;
  try {
    scan = await readArchive(fd, { hash: false, signal: o.signal });
  } catch (err) {
    if (err instanceof ArchiveError) throw new ApiError(409, 'CORRUPT_BACKUP', `${o.name}: ${err.message}`);
    throw err;
  }
  if (!scan.manifest) throw new ApiError(409, 'NO_MANIFEST', `${o.name} has no MANIFEST.json: not a ckptdash backup`);
  return scan.manifest;
}

/** sha256 of a staged file as it is on disk. */
async function hashOnDisk(fd: number, size: number): Promise<string> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  for (let pos = 0; pos < size; ) {
    const { bytesRead } = await readAsync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

/** Restores the selected files of a backup; see the file comment for the order of things. */
export async function restoreBackup(o: RestoreOptions): Promise<RestoreResult> {
  const t0 = performance.now();
  const { fd, stat } = o.catalog.open(o.name);
  const staged = new Map<string, { file: ManifestFile; s: StagedFile; pos: number }>();
  try {
    const manifest = await manifestOf(o, fd, stat);
    const selected = selectFiles(manifest, o.files);
    const existing = checkRestore(o.rootFs, manifest, selected, o.overwrite === true);
    const byName = new Map(selected.map((f) => [f.name, f]));
    const total = Number(stat.size);
    let scan: ArchiveScan;
    try {
      scan = await readArchive(fd, {
        signal: o.signal,
        onProgress: (done) => o.onProgress?.(done, total),
        writerFor: async ({ name }) => {
          const file = byName.get(name);
          if (!file) return undefined;
          const rec = { file, s: stage(o.rootFs, splitRelPath(file.path)), pos: 0 };
          staged.set(name, rec);
          return {
            write: async (chunk) => {
              for (let off = 0; off < chunk.length; ) {
                const { bytesWritten } = await writeAsync(rec.s.fd, chunk, off, chunk.length - off, rec.pos);
                off += bytesWritten;
                rec.pos += bytesWritten;
              }
            },
          };
        },
      });
    } catch (err) {
      if (err instanceof ArchiveError) throw new ApiError(409, 'CORRUPT_BACKUP', `${o.name}: ${err.message}; nothing was restored`);
      throw err;
    }
    if (JSON.stringify(scan.manifest) !== JSON.stringify(manifest)) throw new ApiError(409, 'CHANGED', `${o.name} changed during the restore; nothing was restored`);
    for (const f of selected) {
      const rec = staged.get(f.name);
      if (!rec) throw new ApiError(409, 'CORRUPT_BACKUP', `${f.name} is missing from ${o.name}; nothing was restored`);
      await fsyncAsync(rec.s.fd);
      const size = fstatSync(rec.s.fd).size;
      if (size !== f.size || (await hashOnDisk(rec.s.fd, size)) !== f.sha256) {
        throw new ApiError(409, 'CORRUPT_BACKUP', `${f.name} does not match its sha256 in the manifest; nothing was restored`);
      }
      // The original mtime: a restored final model must not look like a save made just now.
      futimesSync(rec.s.fd, Date.now() / 1000, f.mtimeMs / 1000);
    }
    const restored: RestoreResult['restored'] = [];
    for (const f of selected) {
      const rec = staged.get(f.name)!;
      try {
        place(o.rootFs, rec.s, o.overwrite === true);
      } catch (err) {
        if (err instanceof ApiError && restored.length > 0) {
          throw new ApiError(err.statusCode, err.code, `${err.message}; already restored: ${restored.map((r) => r.path).join(', ')}`, { ...err.details, restored: restored.map((r) => r.path) });
        }
        throw err;
      }
      closeSync(rec.s.fd);
      staged.delete(f.name);
      restored.push({ path: f.path, name: f.name, bytes: f.size, replaced: existing.has(f.path) });
    }
    return { name: o.name, restored, ms: Math.round(performance.now() - t0) };
  } finally {
    for (const rec of staged.values()) {
      closeSync(rec.s.fd);
      discard(o.rootFs, rec.s);
    }
    closeSync(fd);
  }
}
