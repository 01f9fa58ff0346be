// Reads one checkpoint through RootFs (links never followed, the root never
// left): a file, a checkpoint folder, or a shard set in its run folder.
import { closeSync } from 'node:fs';
import type { RootFs } from '../fs/root-fs.js';
import { emptyInfo } from '../models/checkpoint-info.js';
import {
  readCheckpoint,
  readCheckpointFolder,
  readShardSet,
  readSidecars,
  rootFsFolder,
  type CheckpointInfo,
  type ReadOptions,
} from '../models/index.js';
import type { UnitRef } from './units.js';

/** A reader result; `cacheable` is false when the files could not be opened (gone, EIO): worth trying again. */
export interface UnitRead {
  info: CheckpointInfo;
  cacheable: boolean;
}

/** A run folder's sidecar metrics (readSidecars over the folder), possibly remembered by the caller. */
export type SidecarSource = (run: string) => ReturnType<typeof readSidecars>;

/**
 * Sidecars listed once per run folder and kept for `ttlMs`, so a rewritten metrics.json is seen by
 * later reads; listing a 100,000-file folder once per checkpoint would be quadratic.
 */
export function memoizedSidecars(fs: RootFs, ttlMs: number): SidecarSource {
  const cache = new Map<string, { at: number; value: ReturnType<typeof readSidecars> }>();
  return (run) => {
    const now = Date.now();
    const hit = cache.get(run);
    if (hit && now - hit.at < ttlMs) return hit.value;
    const value = readSidecars(rootFsFolder(fs, run));
    if (cache.size > 1_000) cache.clear();
    cache.set(run, { at: now, value });
    return value;
  };
}

export function readUnit(fs: RootFs, ref: UnitRef, opts: ReadOptions, sidecars?: SidecarSource): UnitRead {
  try {
    return { info: withRunSidecars(fs, ref, readRef(fs, ref, opts), sidecars), cacheable: true };
  } catch (err) {
    // The readers never throw for a bad file; this is the file vanishing or refusing to open.
    const detail = `not read: ${err instanceof Error ? err.message : String(err)}`;
    return { info: { ...emptyInfo('unknown', { status: 'unchecked', detail }), error: detail }, cacheable: false };
  }
}

function readRef(fs: RootFs, ref: UnitRef, opts: ReadOptions): CheckpointInfo {
  switch (ref.kind) {
    case 'file': {
      const { fd, stat } = fs.openFile(ref.path);
      try {
        return readCheckpoint(fd, Number(stat.size), Number(stat.mtimeNs) / 1e6, opts);
      } finally {
        closeSync(fd);
      }
    }
    case 'folder':
      return readCheckpointFolder(rootFsFolder(fs, ref.path), opts);
    case 'shards':
      return readShardSet(rootFsFolder(fs, ref.run), ref.parts, opts);
  }
}

/**
 * A checkpoint that saved no metrics of its own takes its run's sidecar files
 * (`metrics.json`, `results.json`, `eval*.json`): that is where many training
 * scripts write a run's scores. Which files they came from is kept in the
 * scalars so the details pane can say so.
 */
function withRunSidecars(fs: RootFs, ref: UnitRef, info: CheckpointInfo, sidecars?: SidecarSource): CheckpointInfo {
  if (Object.keys(info.metrics).length > 0) return info;
  let side: ReturnType<typeof readSidecars>;
  try {
    side = sidecars ? sidecars(ref.run) : readSidecars(rootFsFolder(fs, ref.run));
  } catch {
    // An unreadable run folder only means no sidecar metrics; the checkpoint's own reading stands.
    return info;
  }
  if (side.files.length === 0 || Object.keys(side.metrics).length === 0) return info;
  return { ...info, metrics: side.metrics, scalars: { ...info.scalars, 'metrics.source': side.files.join(', ') } };
}
