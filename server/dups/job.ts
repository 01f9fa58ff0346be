// The `duplicates` job: compares the model files of the index (or of one
// subtree) in the background, with progress in bytes hashed, and hands the
// full result to whoever tags entries `duplicate`.
import { ApiError } from '../errors.js';
import { normalizeRelPath } from '../fs/paths.js';
import type { RootFs } from '../fs/root-fs.js';
import type { JobKind } from '../jobs/manager.js';
import type { TreeIndex } from '../scan/tree-index.js';
import { candidatesFromIndex } from './candidates.js';
import { findDuplicates, type DupStage, type DuplicateResult } from './find.js';
import type { HashCache } from './hash-cache.js';

/** What the duplicates job needs from the app. */
export interface DuplicatesJobDeps {
  /** The scanner's index, or null before the first scan is done. */
  index: () => TreeIndex | null;
  rootFs: RootFs;
  cache: HashCache;
  /** Called with the full result of every finished (not cancelled) run. */
  /** The result and the subtree it covers ("" for the whole root). */
  onResult: (r: DuplicateResult, path: string) => void;
}

/** Params of a duplicates job: `path` limits it to a subtree ("" = the whole root). */
export interface DuplicatesParams {
  path: string;
}

/** The job's `result`, small enough for the job list. */
export interface DuplicatesSummary {
  path: string;
  groups: number;
  /** Files in some group. */
  files: number;
  /** Bytes that deleting all but one file of every group would free. */
  wastedBytes: number;
  candidates: number;
  hashedBytes: number;
  cachedFiles: number;
  dropped: number;
  ms: number;
}

const STAGE_MESSAGES: Record<DupStage, (n: number) => string> = {
  partial: (n) => `comparing the first and last 64 KiB of ${n} files`,
  full: (n) => `hashing ${n} files in full`,
  verify: (n) => `checking ${n} files did not change`,
};

function subtreeOf(ix: TreeIndex | null, path: string): TreeIndex {
  if (ix === null) throw new ApiError(409, 'NOT_READY', 'the first scan has not finished yet');
  if (path !== '' && ix.lookup(path) < 0) throw new ApiError(404, 'NOT_FOUND', `no such entry: ${path}`);
  return ix;
}

/** The `duplicates` job kind for `JobManager.register`. */
export function duplicatesJob(deps: DuplicatesJobDeps): JobKind<DuplicatesParams> {
  return {
    kind: 'duplicates',
    mutates: false,
    prepare(params) {
      const extra = Object.keys(params).filter((k) => k !== 'path');
      if (extra.length > 0) throw new ApiError(400, 'INVALID_PARAMS', `unknown parameter: ${extra.join(', ')}`);
      const path = params.path === undefined ? '' : normalizeRelPath(params.path);
      subtreeOf(deps.index(), path);
      return { title: path === '' ? 'Find duplicate checkpoints' : `Find duplicate checkpoints in ${path}`, unit: 'bytes', params: { path } };
    },
    async run({ path }, ctx) {
      // The index may have changed since prepare(): check again, then copy what is needed at once.
      const ix = subtreeOf(deps.index(), path);
      const candidates = candidatesFromIndex(ix, { prefix: path });
      const result = await findDuplicates(candidates, {
        rootFs: deps.rootFs,
        cache: deps.cache,
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress({ done, total }),
        onStage: (stage, n) => ctx.progress({ message: STAGE_MESSAGES[stage](n) }),
      });
      // Rows of files that are gone (or no longer candidates) would only grow the state file.
      const known = new Set(candidates.map((c) => c.path));
      const inScope = (p: string) => path === '' || p === path || p.startsWith(`${path}/`);
      deps.cache.prune((p) => known.has(p) || !inScope(p));
      deps.onResult(result, path);
      const files = result.groups.reduce((s, g) => s + g.paths.length, 0);
      ctx.progress({ message: `${result.groups.length} groups of duplicates, ${files} files` });
      const summary: DuplicatesSummary = {
        path,
        groups: result.groups.length,
        files,
        wastedBytes: result.groups.reduce((s, g) => s + g.bytes * (g.paths.length - 1), 0),
        candidates: result.candidates,
        hashedBytes: result.hashedBytes,
        cachedFiles: result.cachedFiles,
        dropped: result.dropped.length,
        ms: result.ms,
      };
      return summary;
    },
  };
}
