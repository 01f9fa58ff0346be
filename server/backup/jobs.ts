// The backup, verify-backup and restore job kinds for JobManager.register.
// `prepare` checks params and refuses what it can before the job exists
// (POST /api/jobs answers 400/404/409 at once); `run` does the work.
import { ApiError } from '../errors.js';
import type { RootFs } from '../fs/root-fs.js';
import type { JobKind } from '../jobs/manager.js';
import type { TreeIndex } from '../scan/tree-index.js';
import type { TagSnapshot } from '../tags/service.js';
import { isBackupName } from './names.js';
import type { BackupCatalog, VerifyBackupResult } from './read.js';
import { checkRestore, restoreBackup, selectFiles, type RestoreResult } from './restore.js';
import { MAX_BACKUP_FILES, protectedCheckpointFiles, selectedFiles } from './select.js';
import { writeBackup, type SourceFile } from './writer.js';

function onlyKeys(params: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(params).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new ApiError(400, 'INVALID_PARAMS', `unknown parameter: ${extra.join(', ')}`);
}

function backupName(params: Record<string, unknown>): string {
  if (!isBackupName(params.name)) throw new ApiError(400, 'INVALID_PARAMS', 'name must be the file name of a backup (….tar.gz)');
  return params.name;
}

function pathList(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_BACKUP_FILES || !v.every((p) => typeof p === 'string')) {
    throw new ApiError(400, 'INVALID_PARAMS', `${what} must be a list of 1 to ${MAX_BACKUP_FILES} paths`);
  }
  return v as string[];
}

export interface BackupJobDeps {
  project: string;
  root: string;
  rootFs: RootFs;
  index: () => TreeIndex | null;
  /** The tag rules' snapshot (`TagService.snapshot`): who is protected. */
  snapshot: () => TagSnapshot | null;
  catalog: BackupCatalog;
  /** gzip level (default: the writer's). */
  level?: number;
}

/** The backup job's `result`. */
export interface BackupJobResult {
  file: string;
  bytes: number;
  files: Array<{ name: string; path: string; size: number; sha256: string }>;
  ms: number;
  /** `backups/` in the project's .gitignore: added now, already there, not a git project, or failed (see warnings). */
  gitignore: 'added' | 'already' | 'not-git' | 'failed';
  warnings: string[];
}

/** `backup`: `{ paths?: string[] }`; without paths, the checkpoints that are protected themselves. */
export function backupJob(deps: BackupJobDeps): JobKind<{ files: SourceFile[] }> {
  return {
    kind: 'backup',
    mutates: true,
    prepare(params) {
      onlyKeys(params, ['paths']);
      const paths = pathList(params.paths, 'paths');
      const ix = deps.index();
      const snap = deps.snapshot();
      if (ix === null || snap === null) throw new ApiError(409, 'NOT_READY', 'the first scan has not finished yet');
      if (paths) {
        const files = selectedFiles(ix, snap.cls, paths);
        return { title: `Back up ${paths.length === 1 ? paths[0] : `${paths.length} selected entries`}`, unit: 'bytes', params: { files } };
      }
      const { units, files } = protectedCheckpointFiles(ix, snap.cls);
      if (files.length === 0) throw new ApiError(409, 'NOTHING_TO_BACK_UP', 'no checkpoint is protected: tag the ones to keep, or choose paths');
      return { title: `Back up the ${units.length} protected checkpoint${units.length === 1 ? '' : 's'}`, unit: 'bytes', params: { files } };
    },
    async run({ files }, ctx) {
      const r = await writeBackup({
        project: deps.project,
        root: deps.root,
        rootFs: deps.rootFs,
        files,
        level: deps.level,
        signal: ctx.signal,
        onProgress: (done, total, phase) => ctx.progress({ done, total, message: phase === 'write' ? 'writing the archive' : 'reading the archive back' }),
      });
      deps.catalog.remember(r.file, r.stat, r.manifest);
      const warnings: string[] = [];
      if (typeof r.gitignore === 'object') warnings.push(r.gitignore.problem);
      if (r.removedPartials.length > 0) warnings.push(`removed unfinished archives of earlier backups: ${r.removedPartials.join(', ')}`);
      const result: BackupJobResult = {
        file: r.file,
        bytes: r.bytes,
        files: r.manifest.files.map(({ name, path, size, sha256 }) => ({ name, path, size, sha256 })),
        ms: r.ms,
        gitignore: typeof r.gitignore === 'object' ? 'failed' : r.gitignore,
        warnings,
      };
      ctx.progress({ message: `${r.file}: ${result.files.length} files` });
      return result;
    },
  };
}

/** `verify-backup`: `{ name }`; every entry re-hashed against the MANIFEST. Done with `ok: false` when it does not match. */
export function verifyBackupJob(deps: { catalog: BackupCatalog }): JobKind<{ name: string }> {
  return {
    kind: 'verify-backup',
    mutates: false,
    prepare(params) {
      onlyKeys(params, ['name']);
      const name = backupName(params);
      return { title: `Verify ${name}`, unit: 'bytes', params: { name } };
    },
    async run({ name }, ctx): Promise<VerifyBackupResult> {
      const r = await deps.catalog.verify(name, { signal: ctx.signal, onProgress: (done, total) => ctx.progress({ done, total }) });
      ctx.progress({ message: r.ok ? `${r.files} files match the manifest` : r.problems[0] });
      return r;
    },
  };
}

export interface RestoreJobDeps {
  catalog: BackupCatalog;
  rootFs: RootFs;
  /** Called with the restored paths (the app refreshes the index for them, so the job ends with them listed). */
  onRestored?: (paths: string[]) => void | Promise<void>;
}

/**
 * `restore`: `{ name, files?: string[], overwrite?: boolean }`. When the
 * archive's manifest is already known (it was listed), the refusals (unsafe
 * manifest, links, EXISTS) come from POST /api/jobs itself; otherwise from
 * the job, before anything is written.
 */
export function restoreJob(deps: RestoreJobDeps): JobKind<{ name: string; files?: string[]; overwrite: boolean }> {
  return {
    kind: 'restore',
    mutates: true,
    prepare(params) {
      onlyKeys(params, ['name', 'files', 'overwrite']);
      const name = backupName(params);
      const files = pathList(params.files, 'files');
      if (params.overwrite !== undefined && typeof params.overwrite !== 'boolean') throw new ApiError(400, 'INVALID_PARAMS', 'overwrite must be true or false');
      const overwrite = params.overwrite === true;
      const manifest = deps.catalog.cachedManifest(name);
      if (manifest) checkRestore(deps.rootFs, manifest, selectFiles(manifest, files), overwrite);
      const what = files ? (files.length === 1 ? files[0] : `${files.length} files`) : 'every file';
      return { title: `Restore ${what} from ${name}`, unit: 'bytes', params: { name, files, overwrite } };
    },
    async run({ name, files, overwrite }, ctx): Promise<RestoreResult> {
      const r = await restoreBackup({
        catalog: deps.catalog,
        rootFs: deps.rootFs,
        name,
        files,
        overwrite,
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress({ done, total }),
      });
      try {
        await deps.onRestored?.(r.restored.map((f) => f.path));
      } catch {
        // The files are restored; the watcher brings the index up to date if this refresh could not.
      }
      ctx.progress({ message: `${r.restored.length} file${r.restored.length === 1 ? '' : 's'} restored` });
      return r;
    },
  };
}
