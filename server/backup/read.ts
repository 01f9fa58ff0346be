// The backups of a project as the API lists them, and the full check of one.
// The MANIFEST is the archive's last entry (its sha256s are only known once
// every file went through), so reading it means decompressing the archive:
// about a second per 250 MB. Results are kept per file identity (dev, inode,
// size, mtime, ctime), so each archive is read once, and the writer hands
// over what it just wrote.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, type BigIntStats } from 'node:fs';
import { ApiError } from '../errors.js';
import { splitRelPath } from '../fs/paths.js';
import { ArchiveError, compareWithManifest, readArchive } from './archive.js';
import { at, openBackupsDir } from './backups-dir.js';
import type { Manifest, ManifestFile } from './manifest.js';
import { isBackupName } from './names.js';

/** One backup as `GET /api/backups` shows it. */
export interface BackupListing {
  name: string;
  bytes: number;
  mtimeMs: number;
  files: ManifestFile[];
  /** Why the archive cannot be used (not a ckptdash backup, cut short, a link…). */
  error?: string;
}

/** The verify-backup job's result. */
export interface VerifyBackupResult {
  name: string;
  ok: boolean;
  bytes: number;
  files: number;
  problems: string[];
  ms: number;
}

interface Known {
  key: string;
  manifest?: Manifest;
  error?: string;
}

const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const identity = (st: BigIntStats) => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;

function describe(err: unknown): string {
  if (err instanceof ArchiveError || err instanceof ApiError) return err.message;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return `cannot be read (${code ?? (err as Error)?.message ?? 'error'})`;
}

/** Manifest paths that could not be restored safely; a crafted archive is refused as a whole. */
export function unsafePaths(manifest: Manifest): string[] {
  const bad: string[] = [];
  for (const f of manifest.files) {
    try {
      if (splitRelPath(f.path).length === 0) bad.push(f.path);
    } catch {
      bad.push(f.path);
    }
  }
  return bad;
}

/** Lists, opens and checks the archives of `<project>/backups`. */
export class BackupCatalog {
  private readonly known = new Map<string, Known>();

  constructor(private readonly o: { project: string; root: string }) {}

  /** Every `.tar.gz` in the backups folder, newest first; `.partial` files are never listed. */
  async list(signal?: AbortSignal): Promise<BackupListing[]> {
    const dirFd = openBackupsDir(this.o.project, this.o.root, false);
    if (dirFd === null) return [];
    const out: BackupListing[] = [];
    try {
      const names = readdirSync(`/proc/self/fd/${dirFd}`).filter(isBackupName);
      for (const name of names) {
        const item = await this.describe(dirFd, name, signal);
        if (item) out.push(item);
      }
    } finally {
      closeSync(dirFd);
    }
    for (const name of this.known.keys()) if (!out.some((b) => b.name === name)) this.known.delete(name);
    return out.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : -1));
  }

  /** Takes what the writer just wrote and verified. */
  remember(name: string, stat: BigIntStats, manifest: Manifest): void {
    this.known.set(name, { key: identity(stat), manifest });
  }

  /** The manifest of a sound archive already read, if `stat` (or the file by that name now) is the same file unchanged. */
  cachedManifest(name: string, stat?: BigIntStats): Manifest | undefined {
    const k = this.known.get(name);
    if (!k?.manifest || k.error !== undefined) return undefined;
    if (stat) return identity(stat) === k.key ? k.manifest : undefined;
    const dirFd = openBackupsDir(this.o.project, this.o.root, false);
    if (dirFd === null) return undefined;
    try {
      return identity(lstatSync(at(dirFd, name), { bigint: true })) === k.key ? k.manifest : undefined;
    } catch {
      // Gone: nothing cached applies.
      return undefined;
    } finally {
      closeSync(dirFd);
    }
  }

  /** Opens an archive by name, never through a link; the caller closes the descriptor. */
  open(name: string): { fd: number; stat: BigIntStats } {
    if (!isBackupName(name)) throw new ApiError(400, 'INVALID_NAME', 'not a backup name (a .tar.gz file name in the backups folder)');
    const dirFd = openBackupsDir(this.o.project, this.o.root, false);
    if (dirFd === null) throw new ApiError(404, 'NOT_FOUND', `no backup ${name}`);
    let fd: number;
    try {
      fd = openSync(at(dirFd, name), FILE_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ApiError(404, 'NOT_FOUND', `no backup ${name}`);
      if (code === 'ELOOP') throw new ApiError(409, 'SYMLINK', `${name} is a symlink; links are never followed`);
      throw new ApiError(500, 'IO_ERROR', `cannot open ${name} (${code})`);
    } finally {
      closeSync(dirFd);
    }
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) {
      closeSync(fd);
      throw new ApiError(409, 'NOT_A_FILE', `${name} is not a regular file`);
    }
    return { fd, stat };
  }

  /** Re-reads every entry of a backup and checks it against its MANIFEST. */
  async verify(name: string, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<VerifyBackupResult> {
    const t0 = performance.now();
    const { fd, stat } = this.open(name);
    const bytes = Number(stat.size);
    let problems: string[];
    let manifest: Manifest | undefined;
    try {
      const scan = await readArchive(fd, { signal: opts.signal, onProgress: (done) => opts.onProgress?.(done, bytes) });
      manifest = scan.manifest;
      problems = compareWithManifest(scan);
      if (manifest) for (const p of unsafePaths(manifest)) problems.push(`unsafe path in the manifest: ${JSON.stringify(p)}`);
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      problems = [err.message];
    } finally {
      closeSync(fd);
    }
    this.known.set(name, { key: identity(stat), ...(problems.length === 0 ? { manifest } : { manifest, error: problems[0] }) });
    return { name, ok: problems.length === 0, bytes, files: manifest?.files.length ?? 0, problems, ms: Math.round(performance.now() - t0) };
  }

  private async describe(dirFd: number, name: string, signal?: AbortSignal): Promise<BackupListing | null> {
    let st: BigIntStats;
    try {
      st = lstatSync(at(dirFd, name), { bigint: true });
    } catch {
      // Removed between readdir and lstat: as if never there.
      return null;
    }
    const base = { name, bytes: Number(st.size), mtimeMs: Math.round(Number(st.mtimeNs) / 1e6) };
    if (st.isSymbolicLink()) return { ...base, files: [], error: 'a symlink: not followed' };
    if (!st.isFile()) return { ...base, files: [], error: 'not a regular file' };
    let k = this.known.get(name);
    if (k?.key !== identity(st)) {
      k = await this.readManifest(name, signal);
      this.known.set(name, k);
    }
    return { ...base, files: k.manifest?.files ?? [], ...(k.error !== undefined ? { error: k.error } : {}) };
  }

  private async readManifest(name: string, signal?: AbortSignal): Promise<Known> {
    let opened: { fd: number; stat: BigIntStats };
    try {
      opened = this.open(name);
    } catch (err) {
      return { key: '', error: describe(err) };
    }
    try {
      const scan = await readArchive(opened.fd, { hash: false, signal });
      const problems = compareWithManifest(scan);
      if (scan.manifest) for (const p of unsafePaths(scan.manifest)) problems.push(`unsafe path in the manifest: ${JSON.stringify(p)}`);
      return { key: identity(opened.stat), manifest: scan.manifest, ...(problems.length ? { error: problems[0] } : {}) };
    } catch (err) {
      if (signal?.aborted) throw err;
      return { key: identity(opened.stat), error: describe(err) };
    } finally {
      closeSync(opened.fd);
    }
  }
}
