import { F_DUP } from './columns.js';
import type { TreeIndex } from './tree-index.js';

/**
 * Hard links: an inode reached by several paths is counted once, charged to
 * its bytewise-first relative path; the others carry F_DUP (tag `hardlink`)
 * and add nothing to their folders. The rule depends only on the set of
 * paths, so the result is the same whatever order the walk found them in,
 * and a link appearing or vanishing later moves the charge the same way.
 */
export function chargeOnAdd(ix: TreeIndex, id: number): void {
  const group = ix.inodes.groupOf(id);
  if (group.length <= 1) return;
  const best = firstByPath(ix, group);
  for (const m of group) {
    const wantDup = m !== best;
    if (m === id) {
      // Not yet contributing: the caller adds its share after this.
      if (wantDup) ix.c.flags[m] |= F_DUP;
      continue;
    }
    if (((ix.c.flags[m] & F_DUP) !== 0) !== wantDup) setCharged(ix, m, !wantDup);
  }
}

/** After a link left the table: if nobody is charged any more, charge the first remaining path. Returns the remaining links. */
export function chargeOnRemove(ix: TreeIndex, dev: number, inoLo: number, inoHi: number): number[] {
  const rest = ix.inodes.group(dev, inoLo, inoHi);
  if (rest.length === 0) return rest;
  for (const m of rest) if ((ix.c.flags[m] & F_DUP) === 0) return rest;
  setCharged(ix, firstByPath(ix, rest), true);
  return rest;
}

function setCharged(ix: TreeIndex, id: number, charged: boolean): void {
  if (charged) {
    ix.c.flags[id] &= ~F_DUP;
    ix.addContribution(id, 1);
  } else {
    ix.addContribution(id, -1);
    ix.c.flags[id] |= F_DUP;
  }
  ix.touch(id);
}

function firstByPath(ix: TreeIndex, ids: number[]): number {
  let best = ids[0];
  let bestPath = ix.pathBytes(best);
  for (let i = 1; i < ids.length; i++) {
    const p = ix.pathBytes(ids[i]);
    if (Buffer.compare(p, bestPath) < 0) {
      best = ids[i];
      bestPath = p;
    }
  }
  return best;
}
