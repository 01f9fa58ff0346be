// The one way anything is deleted (PRODUCT.md "4." and the security model):
// every check first — read-only, path syntax, known entry, not protected
// (re-evaluated now), no symlink on the way, same identity as the index and
// the client's etag, not being written — then the journal's intent, the
// removal through descriptors, the result, and the index updated at once.
import { readlinkSync, lstatSync, type BigIntStats } from 'node:fs';
import type { DeletionRequest, DeletionResult } from '../../shared/schemas/api.js';
import { ApiError, conflict, forbidden, notFound } from '../errors.js';
import { normalizeRelPath } from '../fs/paths.js';
import { RootFs } from '../fs/root-fs.js';
import { WRITING_RECENT_MS } from '../models/integrity.js';
import { parentOf } from '../models-service/units.js';
import { KIND_DIR, KIND_FILE } from '../scan/batch.js';
import { etagOf } from '../scan/entry-view.js';
import type { TreeIndex } from '../scan/tree-index.js';
import type { TagService } from '../tags/service.js';
import type { Journal } from './journal.js';
import { RemovalStopped, removeEntry, sameEntry, type Removed } from './remove.js';

export interface DeletionDeps {
  index: () => TreeIndex | null;
  tags: TagService;
  rootFs: RootFs;
  journal: Journal;
  /** Brings the index up to date for one path (the scanner's applyPath). */
  refresh: (path: string) => Promise<void>;
  isReadOnly: () => boolean;
  /** False until the project's references are read: before that a pinned model looks unprotected. */
  referencesReady: () => boolean;
  /** Why the root is no longer the folder that was scanned (deleted, replaced), or undefined while it is. */
  rootProblem?: () => string | undefined;
  now?: () => number;
}

/** Categories whose folders go as a whole: a part of one left empty goes with it. */
const FOLDER_CATEGORIES = new Set(['experiment', 'ablation', 'debug']);

export class Deletions {
  private readonly now: () => number;
  /** Deletions run one at a time: each re-checks a tree the previous one may have changed. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: DeletionDeps) {
    this.now = d.now ?? Date.now;
  }

  delete(req: DeletionRequest, signal?: AbortSignal): Promise<DeletionResult> {
    const run = this.queue.then(() => this.deleteNow(req, signal));
    this.queue = run.catch(() => {});
    return run;
  }

  /** Records what really happened to deletions the server did not live to finish. */
  reconcile(): number {
    const pending = this.d.journal.pending();
    for (const p of pending) {
      let gone = false;
      try {
        this.d.rootFs.lstat(p.path);
      } catch (err) {
        gone = err instanceof ApiError && err.statusCode === 404;
      }
      if (gone) this.d.journal.result(p.id, 'deleted', { bytes: 0, diskBytes: 0, files: 0 }, 'found gone when the server restarted after an interruption');
      else this.d.journal.result(p.id, 'interrupted', { bytes: 0, diskBytes: 0, files: 0 }, 'still there when the server restarted after an interruption: it may be partly deleted');
    }
    return pending.length;
  }

  private async deleteNow(req: DeletionRequest, signal?: AbortSignal): Promise<DeletionResult> {
    if (this.d.isReadOnly()) throw forbidden('READ_ONLY', 'the server runs read-only: nothing can be deleted');
    const path = normalizeRelPath(req.path);
    if (!this.d.referencesReady()) throw new ApiError(503, 'READING_REFERENCES', 'the project files are still being read for references: try again in a moment');
    if (path === '') throw new ApiError(400, 'INVALID_PATH', 'the checkpoints directory itself is never deleted');
    this.checkRootIsScanned();
    // The watcher may not have caught up: look at this path again before judging it.
    await this.d.refresh(path);
    const ix = this.d.index();
    if (ix === null) throw new ApiError(503, 'SCANNING', 'the first scan is still running');
    this.checkRootIsScanned();
    const id = ix.lookup(path);
    if (id < 0) throw notFound(`no entry ${JSON.stringify(path)} under the checkpoints directory`);
    const snap = this.d.tags.snapshot();
    if (snap === null) throw new ApiError(503, 'SCANNING', 'the first scan is still running');
    if (snap.cls.isProtected(path)) {
      throw conflict('PROTECTED', `protected: ${snap.cls.reasons(path).map(inWords).join('; ')}`, { protectedBy: snap.cls.reasons(path) });
    }
    if (req.etag !== undefined && req.etag !== etagOf(ix, id)) {
      throw conflict('CHANGED', `${path} changed since it was listed: look at it again before deleting`);
    }
    this.checkNotWriting(ix, id, path, snap.cls.units);
    const category = this.categoryOf(path, req.policy);
    const before = { bytes: ix.c.bytes[id], diskBytes: ix.c.disk[id], files: ix.c.files[id] };

    let removed: Removed;
    let stopped: RemovalStopped | undefined;
    let intentId = -1;
    try {
      removed = this.d.rootFs.withParent(path, (dirFd, name) => {
        this.checkParentInsideRoot(dirFd, path);
        let st: BigIntStats;
        try {
          st = lstatSync(`/proc/self/fd/${dirFd}/${name}`, { bigint: true });
        } catch {
          throw notFound(`${path} is gone`);
        }
        if (!sameEntry(ix, id, st)) throw conflict('CHANGED', `${path} changed since it was scanned: look at it again before deleting`);
        intentId = this.d.journal.intent({ path, etag: req.etag, ...before, policy: req.policy, category });
        return removeEntry({ ix, isProtected: (p) => snap.cls.isProtected(p), signal }, dirFd, name, id, path);
      });
    } catch (err) {
      if (!(err instanceof RemovalStopped)) {
        if (intentId >= 0) this.d.journal.result(intentId, 'failed', { bytes: 0, diskBytes: 0, files: 0 }, (err as Error).message);
        throw err;
      }
      stopped = err;
      removed = err.removed;
    }
    const freed = { bytes: removed.bytes, diskBytes: removed.diskBytes, files: removed.files };
    await this.d.refresh(path);
    if (stopped) {
      const touched = removed.paths.length > 0;
      this.d.journal.result(intentId, touched ? 'partial' : 'failed', freed, stopped.message);
      if (!touched && (stopped.errno === 'EACCES' || stopped.errno === 'EPERM')) {
        throw forbidden('PERMISSION_DENIED', `nothing was deleted: ${stopped.message}; the folder belongs to another user or is read-only`);
      }
      if (!touched) throw conflict('CHANGED', `nothing was deleted: ${stopped.message}`);
      throw conflict('PARTIAL', `stopped part-way: ${stopped.message}`, {
        removed: { files: removed.files, bytes: removed.bytes, diskBytes: removed.diskBytes, paths: removed.paths },
      });
    }
    this.d.journal.result(intentId, 'deleted', freed);
    if (FOLDER_CATEGORIES.has(category)) await this.removeEmptyParents(path, category);
    return { path, freedBytes: freed.bytes, freedDiskBytes: freed.diskBytes, deletedFiles: freed.files };
  }

  /**
   * The root path must still lead to the folder the index was built from: one deleted and made
   * again, or renamed away and replaced, holds files no plan or protection rule has seen.
   */
  private checkRootIsScanned(): void {
    const problem = this.d.rootProblem?.();
    if (problem !== undefined) throw conflict('ROOT_GONE', `nothing was deleted: ${problem}`);
  }

  /** The parent folder reached through descriptors must really lie inside the root. */
  private checkParentInsideRoot(dirFd: number, path: string): void {
    const real = readlinkSync(`/proc/self/fd/${dirFd}`);
    const root = this.d.rootFs.root;
    if (real !== root && !real.startsWith(`${root}/`)) throw conflict('SYMLINK', `the folder of ${path} is not inside the checkpoints directory any more`);
  }

  private checkNotWriting(ix: TreeIndex, id: number, path: string, units: ReadonlyMap<string, { tags: readonly string[] }>): void {
    let writing = recentFileInside(ix, id, this.now() - WRITING_RECENT_MS);
    if (!writing) for (const [p, u] of units) if ((p === path || p.startsWith(`${path}/`)) && u.tags.includes('writing')) writing = true;
    if (writing) throw conflict('WRITING', `${path} is being written (changed in the last seconds): wait until it settles`);
  }

  private categoryOf(path: string, policy: DeletionRequest['policy']): string {
    if (policy) {
      const item = this.d.tags.plan(policy)?.items.find((i) => i.path === path);
      if (item) return item.category;
    }
    const ix = this.d.index()!;
    const id = ix.lookup(path);
    return this.d.tags.snapshot()?.cls.categoriesOf(path, id >= 0 && ix.kind(id) === KIND_DIR)[0] ?? 'manual';
  }

  /** Folders of an experiment/ablation/debug folder left empty by deleting its parts go with it. */
  private async removeEmptyParents(path: string, category: string): Promise<void> {
    const cls = this.d.tags.snapshot()?.cls;
    if (!cls) return;
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) {
      if (!cls.categoriesOf(p, true).includes(category as never)) return;
      const ix = this.d.index();
      const id = ix?.lookup(p) ?? -1;
      if (!ix || id < 0 || ix.kind(id) !== KIND_DIR || ix.childrenOf(id).length > 0) return;
      try {
        this.d.rootFs.withParent(p, (fd, name) => RootFs.rmdirAt(fd, name));
      } catch {
        // Not empty after all (something new arrived) or not ours to remove: leave it.
        return;
      }
      await this.d.refresh(p);
    }
  }
}

/**
 * True when a regular file at or below `id` was modified after `since`. A folder's own
 * mtime does not count: it moves whenever an entry inside is added or removed.
 */
function recentFileInside(ix: TreeIndex, id: number, since: number): boolean {
  const stack = [id];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const k = ix.kind(at);
    if (k === KIND_FILE) {
      if (ix.c.mtimeMs[at] > since) return true;
    } else if (k === KIND_DIR && ix.c.mtimeMs[at] > since) {
      // A folder's mtimeMs is the newest below it: only recent folders can hold a recent file.
      stack.push(...ix.childrenOf(at));
    }
  }
  return false;
}

/** `configs/a.json:7` → "referenced by configs/a.json line 7"; other reasons read as they are. */
function inWords(reason: string): string {
  const m = /^(.+):(\d+)$/.exec(reason);
  if (m && !reason.startsWith('inside ') && !reason.startsWith('contains ')) return `referenced by ${m[1]} line ${m[2]}`;
  if (reason.startsWith('tag ')) return `tagged ${reason.slice(4)}`;
  return reason;
}
