// User tags follow their entry while the server runs: a tagged file or folder
// renamed or moved under the root keeps its tags and note. The index keeps no
// identity for a removed path, so the identities of tagged paths are noted
// beforehand and matched against what appears.
import type { TreeIndex } from '../scan/tree-index.js';
import { S_INO, STAMPS } from '../scan/columns.js';
import type { UserTags } from './user-tags.js';

/** A rename shows up as a removal and an arrival, possibly in separate batches within this window. */
const MATCH_WINDOW_MS = 10_000;

export class TagFollower {
  private ids = new Map<string, string>();
  private readonly lost = new Map<string, { path: string; at: number }>();

  constructor(
    private readonly user: UserTags,
    private readonly index: () => TreeIndex | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes the identity of every tagged path that exists now. */
  note(): void {
    const ix = this.index();
    if (!ix) return;
    const ids = new Map<string, string>();
    for (const p of this.user.paths()) {
      const id = ix.lookup(p);
      if (id >= 0) ids.set(p, identity(ix, id));
    }
    this.ids = ids;
  }

  /** Applies one batch of index changes; returns the paths whose tags moved. */
  onChange(upserts: readonly string[], removed: readonly string[]): string[] {
    const ix = this.index();
    if (!ix) return [];
    const t = this.now();
    for (const [id, l] of this.lost) if (t - l.at > MATCH_WINDOW_MS) this.lost.delete(id);
    for (const r of removed) {
      for (const [p, id] of this.ids) if (p === r || p.startsWith(`${r}/`)) this.lost.set(id, { path: p, at: t });
    }
    const moved: string[] = [];
    if (this.lost.size > 0) {
      for (const u of upserts) {
        const id = ix.lookup(u);
        if (id < 0) continue;
        const l = this.lost.get(identity(ix, id));
        if (!l || l.path === u || ix.lookup(l.path) >= 0) continue;
        this.user.move(l.path, u);
        this.lost.delete(identity(ix, id));
        moved.push(u);
      }
    }
    this.note();
    return moved;
  }
}

function identity(ix: TreeIndex, id: number): string {
  const o = id * STAMPS + S_INO;
  return `${ix.devs[ix.c.dev[id]]}:${ix.c.stamps[o + 1] >>> 0}:${ix.c.stamps[o] >>> 0}`;
}
