// Which entries of the index are checkpoints, and the facts about each one
// that decide whether a stored read still holds (etag, bytes, newest mtime).
// Reads the index only; never the disk.
import { createHash } from 'node:crypto';
import { groupCheckpoints, isCheckpointFolderName, type CheckpointUnit } from '../models/index.js';
import { KIND_DIR, KIND_FILE } from '../scan/batch.js';
import { etagOf } from '../scan/entry-view.js';
import type { TreeIndex } from '../scan/tree-index.js';

/** One checkpoint as the index shows it now. */
export interface UnitRef {
  path: string;
  /** The folder that directly holds it ("" for the root). */
  run: string;
  kind: CheckpointUnit['kind'];
  /** Names inside `run` that belong to it (a shard set's shards and index). */
  parts: string[];
  etag: string;
  bytes: number;
  /** Newest mtime among its files (a folder's covers everything below it). */
  mtimeMs: number;
}

export const joinPath = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The checkpoints directly inside folder `dir` and the child folders to look into; null when `dir` is not a folder. */
export function folderUnits(ix: TreeIndex, dir: string): { units: UnitRef[]; subfolders: string[] } | null {
  const id = ix.lookup(dir);
  if (id < 0 || ix.kind(id) !== KIND_DIR) return null;
  const ids = new Map<string, number>();
  for (const ch of ix.childrenOf(id)) {
    // Links are never followed and devices are no models: only files and folders can be checkpoints.
    const k = ix.kind(ch);
    if (k === KIND_FILE || k === KIND_DIR) ids.set(ix.nameOf(ch), ch);
  }
  const isDir = (name: string) => ix.kind(ids.get(name)!) === KIND_DIR;
  const units = groupCheckpoints([...ids.keys()], isDir).map((u) => unitRef(ix, dir, u, ids));
  // A checkpoint folder's files are its parts, never checkpoints of their own.
  const subfolders = [...ids.keys()].filter((n) => isDir(n) && !isCheckpointFolderName(n)).map((n) => joinPath(dir, n));
  return { units, subfolders };
}

function unitRef(ix: TreeIndex, run: string, u: CheckpointUnit, ids: Map<string, number>): UnitRef {
  const c = ix.c;
  const partIds = u.parts.map((n) => ids.get(n)!);
  let bytes = 0;
  let mtimeMs = 0;
  for (const id of partIds) {
    bytes += c.bytes[id];
    mtimeMs = Math.max(mtimeMs, c.mtimeMs[id]);
  }
  const etags = partIds.map((id) => etagOf(ix, id));
  // A shard set changes when any of its files does.
  const etag = etags.length === 1 ? etags[0] : createHash('sha1').update(etags.join('\n')).digest('base64url').slice(0, 20);
  return { path: joinPath(run, u.name), run, kind: u.kind, parts: u.parts, etag, bytes, mtimeMs };
}

/**
 * Every checkpoint under `from`, a folder at a time: yields each folder's
 * units so the caller can pause between folders. Paths, not ids, are kept
 * across yields: the index may change in between.
 */
export function* walkUnits(ix: () => TreeIndex | null, from: string): Generator<{ dir: string; units: UnitRef[] }> {
  const stack = [from];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const index = ix();
    if (index === null) return;
    const found = folderUnits(index, dir);
    if (found === null) continue;
    for (let i = found.subfolders.length - 1; i >= 0; i--) stack.push(found.subfolders[i]);
    yield { dir, units: found.units };
  }
}
