import type { UnitRef } from '../models-service/units.js';
import type { TreeIndex } from '../scan/tree-index.js';
import type { CheckpointWrite } from './forecast.js';

/**
 * The checkpoints written in (from, to], as the forecast needs them, from the models' unit refs
 * and the index's columns: listing and shaping every checkpoint took seconds at 100,000 of them,
 * and only the recent ones matter here.
 */
export function recentWrites(units: Iterable<{ ref: UnitRef }>, ix: TreeIndex | null, from: number, to: number): CheckpointWrite[] {
  const writes: CheckpointWrite[] = [];
  const share = new Map<string, number | undefined>();
  for (const { ref } of units) {
    if (ref.mtimeMs <= from || ref.mtimeMs > to) continue;
    if (ix && !share.has(ref.run)) share.set(ref.run, diskShare(ix, ref.run));
    const s = share.get(ref.run);
    writes.push({ bytes: ref.bytes, mtimeMs: ref.mtimeMs, diskBytes: s === undefined ? undefined : Math.round(ref.bytes * s) });
  }
  return writes;
}

/**
 * What the run's folder takes on disk per byte of size: about 1 for ordinary checkpoints, near 0
 * for sparse ones (the demo's), below 1 for compressed ones. Taken per run rather than per file:
 * one index lookup per run instead of one per checkpoint, and a run's saves are all alike.
 */
function diskShare(ix: TreeIndex, run: string): number | undefined {
  const id = ix.lookup(run);
  if (id < 0 || !(ix.c.bytes[id] > 0)) return undefined;
  return ix.c.disk[id] / ix.c.bytes[id];
}
