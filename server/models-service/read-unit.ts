// Reads one checkpoint through RootFs (links never followed, the root never
// left): a file, a checkpoint folder, or a shard set in its run folder.
import { closeSync } from 'node:fs';
import type { RootFs } from '../fs/root-fs.js';
import { emptyInfo } from '../models/checkpoint-info.js';
import { readCheckpoint, readCheckpointFolder, readShardSet, rootFsFolder, type CheckpointInfo, type ReadOptions } from '../models/index.js';
import type { UnitRef } from './units.js';

/** A reader result; `cacheable` is false when the files could not be opened (gone, EIO): worth trying again. */
export interface UnitRead {
  info: CheckpointInfo;
  cacheable: boolean;
}

export function readUnit(fs: RootFs, ref: UnitRef, opts: ReadOptions): UnitRead {
  try {
    return { info: readRef(fs, ref, opts), cacheable: true };
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
