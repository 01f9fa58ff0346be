// Writes `<project>/backups/checkpoints_backup_<YYYYMMDD>.tar.gz`: every
// source read through RootFs (no link followed), hashed while it streams into
// the tar, checked against the etag it started with, then the whole archive
// read back and checked before it gets its final name. Until then it is a
// `.partial` that any failure, cancel or changed source removes.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsync, read, write, type BigIntStats } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { ApiError } from '../errors.js';
import { normalizeRelPath } from '../fs/paths.js';
import type { RootFs } from '../fs/root-fs.js';
import { WRITING_RECENT_MS } from '../models/integrity.js';
import { statEtag } from '../scan/etag.js';
import { compareWithManifest, readArchive } from './archive.js';
import { createPartial, openBackupsDir, openProject, publishPartial, removeQuietly, removeStalePartialsAt } from './backups-dir.js';
import { ignoreBackupsInGit } from './gitignore.js';
import type { Manifest, ManifestFile } from './manifest.js';
import { flattenNames, MANIFEST_NAME } from './names.js';

const readAsync = promisify(read);
const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

/**
 * gzip level 1. Checkpoints are float tensors: only their exponent bits
 * compress. On six 46 MB torch zips of random float32 weights
 * (bench-backup.ts: 276 MB, like the seed's 276 → 253 MB) levels 1, 6 and 9
 * all left 92.7 % (255.80 MB at 1, 255.76 MB at 6 and 9) in about the same
 * time (8.5–10 s each, write and read-back, on a 2-core box). Where the
 * data has structure the levels part ways: fp32 weights upcast from bf16
 * (low 16 bits zero) took 0.46 s at level 1 and 1.6 s at 6 or 9 per 46 MB
 * for 7 % less output. Level 1 is never much slower and barely bigger.
 */
export const DEFAULT_GZIP_LEVEL = 1;
const CHUNK_BYTES = 1024 * 1024;

/** One file to back up: a root-relative path and the etag the index gave it. */
export interface SourceFile {
  path: string;
  etag: string;
}

export interface WriteBackupOptions {
  project: string;
  root: string;
  rootFs: RootFs;
  files: readonly SourceFile[];
  /** Date of the archive name and the manifest's createdAt (default: now). */
  now?: number;
  signal?: AbortSignal;
  /** Source bytes written so far, then bytes read back, out of twice the sources' total. */
  onProgress?: (done: number, total: number, phase: 'write' | 'verify') => void;
  level?: number;
}

/** A finished, verified backup. */
export interface BackupResult {
  /** The archive's file name in the backups folder. */
  file: string;
  /** Its size. */
  bytes: number;
  manifest: Manifest;
  /** The archive's stat, so a listing cache can take it without reading it again. */
  stat: BigIntStats;
  /** `backups/` added to the project's .gitignore, or why it could not be. */
  gitignore: ReturnType<typeof ignoreBackupsInGit>;
  /** Unfinished archives of earlier, killed backups that were removed first. */
  removedPartials: string[];
  ms: number;
}

const changed = (path: string, why: string) => new ApiError(409, 'CHANGED', `${path} ${why} during the backup; nothing was kept: try again`);

function writeError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return new ApiError(507, 'NO_SPACE', `the backup does not fit (${code}); nothing was kept`);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new ApiError(500, 'IO_ERROR', `writing the backup failed (${code}); nothing was kept`);
  return err;
}

/** Looks at every source before anything is written: a refusal then leaves no trace. */
function precheck(rootFs: RootFs, files: readonly SourceFile[], clock: number): number {
  let total = 0;
  for (const f of files) {
    const st = rootFs.lstat(f.path);
    if (!st.isFile()) throw new ApiError(409, 'NOT_A_FILE', `not a regular file: ${f.path}`);
    if (statEtag(st) !== f.etag) throw new ApiError(409, 'CHANGED', `${f.path} changed since it was listed: reload and try again`);
    // A file still being saved would be backed up half-written.
    if (clock - Number(st.mtimeMs) < WRITING_RECENT_MS) throw new ApiError(409, 'WRITING', `${f.path} is being written`);
    total += Number(st.size);
  }
  return total;
}

/** Writes, verifies and publishes one backup archive of `files`. */
export async function writeBackup(o: WriteBackupOptions): Promise<BackupResult> {
  const t0 = performance.now();
  const now = o.now ?? Date.now();
  if (o.files.length === 0) throw new ApiError(400, 'NOTHING_TO_BACK_UP', 'no files to back up');
  const paths = o.files.map((f) => normalizeRelPath(f.path));
  if (new Set(paths).size !== paths.length) throw new ApiError(400, 'INVALID_PARAMS', 'a file is listed twice');
  const names = flattenNames(paths);
  const total = precheck(o.rootFs, o.files, Date.now());
  const dirFd = openBackupsDir(o.project, o.root, true)!;
  let partial: ReturnType<typeof createPartial> | undefined;
  try {
    const projectFd = openProject(o.project);
    let gitignore: BackupResult['gitignore'];
    try {
      gitignore = ignoreBackupsInGit(projectFd);
    } finally {
      closeSync(projectFd);
    }
    const removedPartials = removeStalePartialsAt(dirFd);
    partial = createPartial(dirFd, now);
    const manifest = await writeArchive(o, partial.fd, paths, names, total, now);
    await fsyncAsync(partial.fd);
    await verifyWritten(o, partial.fd, manifest, total);
    const file = publishPartial(dirFd, partial, now);
    const stat = fstatSync(partial.fd, { bigint: true });
    return { file, bytes: Number(stat.size), manifest, stat, gitignore, removedPartials, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    if (partial) removeQuietly(dirFd, partial.name);
    throw writeError(err);
  } finally {
    if (partial) closeSync(partial.fd);
    closeSync(dirFd);
  }
}

/** The tar → gzip → file pipeline; `failed` rejects as soon as the file side fails (and never settles otherwise). */
function startPack(o: WriteBackupOptions, fd: number) {
  const pack = tar.pack();
  let pos = 0;
  const done = pipeline(
    pack,
    createGzip({ level: o.level ?? DEFAULT_GZIP_LEVEL }),
    async function* sink(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        for (let off = 0; off < chunk.length; ) {
          const { bytesWritten } = await writeAsync(fd, chunk, off, chunk.length - off, pos);
          off += bytesWritten;
          pos += bytesWritten;
        }
      }
    },
    ...(o.signal ? [{ signal: o.signal }] : []),
  );
  const failed = done.then(() => new Promise<never>(() => {}));
  failed.catch(() => {});
  return { pack, done, failed };
}

/** Streams every source into the archive, then the MANIFEST; resolves once all of it is in the file. */
async function writeArchive(o: WriteBackupOptions, fd: number, paths: string[], names: string[], total: number, now: number): Promise<Manifest> {
  const { pack, done, failed } = startPack(o, fd);
  const files: ManifestFile[] = [];
  let written = 0;
  try {
    for (const [i, path] of paths.entries()) {
      o.signal?.throwIfAborted();
      const etag = o.files[i].etag;
      const { fd: src, stat } = o.rootFs.openFile(path);
      try {
        if (statEtag(stat) !== etag) throw changed(path, 'changed');
        const size = Number(stat.size);
        const hash = createHash('sha256');
        let entry!: ReturnType<tar.Pack['entry']>;
        const entryDone = new Promise<void>((resolve, reject) => {
          entry = pack.entry({ name: names[i], size, mode: 0o644, mtime: new Date(Number(stat.mtimeMs)) }, (err) => (err ? reject(err) : resolve()));
        });
        entryDone.catch(() => {});
        // Its errors arrive through the callback above; an unlistened 'error' event would crash the process.
        entry.on('error', () => {});
        for (let pos = 0; pos < size; ) {
          o.signal?.throwIfAborted();
          // A fresh buffer per chunk: the tar stream keeps a reference until gzip has taken it.
          const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - pos));
          const n = await readSource(src, buf, pos, path);
          if (n === 0) throw changed(path, 'shrank');
          const chunk = buf.subarray(0, n);
          hash.update(chunk);
          pos += n;
          written += n;
          if (!entry.write(chunk)) await Promise.race([new Promise<void>((r) => entry.once('drain', () => r())), failed]);
          o.onProgress?.(written, 2 * total, 'write');
        }
        entry.end(null);
        await Promise.race([entryDone, failed]);
        // Read while it was rewritten, truncated or replaced: the bytes in the archive are worthless.
        if (statEtag(fstatSync(src, { bigint: true })) !== etag) throw changed(path, 'changed');
        const after = o.rootFs.lstat(path);
        if (!after.isFile() || statEtag(after) !== etag) throw changed(path, 'was replaced');
        files.push({ name: names[i], path, size, mtimeMs: Number(stat.mtimeNs) / 1e6, sha256: hash.digest('hex') });
      } finally {
        closeSync(src);
      }
    }
    const manifest: Manifest = { createdAt: now, source: { root: o.root, project: o.project }, files };
    const body = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    pack.entry({ name: MANIFEST_NAME, size: body.length, mode: 0o644, mtime: new Date(now) }, body);
    pack.finalize();
    await done;
    return manifest;
  } catch (err) {
    pack.destroy(err as Error);
    const fileSide = await done.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (o.signal?.aborted) throw o.signal.reason;
    if (err instanceof ApiError) throw err;
    // The file side's own error (ENOSPC, EIO) says more than the tar side's "destroyed".
    throw fileSide ?? err;
  }
}

async function readSource(fd: number, buf: Buffer, pos: number, path: string): Promise<number> {
  try {
    return (await readAsync(fd, buf, 0, buf.length, pos)).bytesRead;
  } catch (err) {
    throw new ApiError(500, 'IO_ERROR', `reading ${path} failed (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); nothing was kept`);
  }
}

/** Reads the archive back through the same descriptor: tar structure, every sha256, and the manifest as written. */
async function verifyWritten(o: WriteBackupOptions, fd: number, manifest: Manifest, total: number): Promise<void> {
  const size = fstatSync(fd).size || 1;
  const scan = await readArchive(fd, {
    signal: o.signal,
    onProgress: (done) => o.onProgress?.(total + Math.floor((total * done) / size), 2 * total, 'verify'),
  });
  const problems = compareWithManifest(scan);
  if (JSON.stringify(scan.manifest) !== JSON.stringify(manifest)) problems.push(`${MANIFEST_NAME} reads back differently`);
  const order = scan.entries.map((e) => e.name).join('\n');
  if (order !== manifest.files.map((f) => f.name).join('\n')) problems.push('the entries are not the ones written');
  if (problems.length > 0) throw new ApiError(500, 'BACKUP_VERIFY_FAILED', `the backup did not read back as written: ${problems[0]}; nothing was kept`);
}
