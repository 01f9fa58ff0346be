// Per-tag totals for the summary: each tag counts the outermost entries that
// carry it, so a tagged folder and the files inside it are not counted twice.
import { CATEGORIES, type Category } from '../../shared/tag-rules.js';
import { parentOf } from '../models-service/units.js';
import { KIND_DIR } from '../scan/batch.js';
import { ROOT } from '../scan/tree-structure.js';
import type { TagSnapshot } from './service.js';

type Totals = Record<string, { count: number; bytes: number }>;

export function tagTotalsOf(s: TagSnapshot, userTags: ReadonlyMap<string, ReadonlySet<string>>): Totals {
  const { cls } = s;
  const ix = cls.ix;
  const out: Totals = {};
  const count = (tag: string, path: string) => {
    const id = cls.idOf(path);
    if (id < 0) return;
    const t = (out[tag] ??= { count: 0, bytes: 0 });
    t.count++;
    t.bytes += ix.c.bytes[id];
  };

  // Categories: matched folders (outermost per category), then checkpoints matched by their own name outside them.
  const stack: Array<[number, string, ReadonlySet<Category>]> = [[ROOT, '', new Set()]];
  while (stack.length > 0) {
    const [id, path, inside] = stack.pop()!;
    for (const ch of ix.childrenOf(id)) {
      if (ix.kind(ch) !== KIND_DIR) continue;
      const p = path === '' ? ix.nameOf(ch) : `${path}/${ix.nameOf(ch)}`;
      const cats = cls.categoriesOf(p, true);
      const fresh = cats.filter((c) => !inside.has(c));
      for (const c of fresh) count(c, p);
      stack.push([ch, p, fresh.length > 0 ? new Set([...inside, ...fresh]) : inside]);
    }
  }
  for (const [path, u] of cls.units) {
    const own = u.own?.category;
    if (own === undefined || u.ref.kind === 'folder') continue;
    if (!cls.categoriesOf(parentOf(path), true).includes(own)) count(own, path);
  }
  const perPath = new Map<string, Set<string>>();
  const mark = (path: string, tag: string) => {
    let set = perPath.get(path);
    if (!set) perPath.set(path, (set = new Set()));
    set.add(tag);
  };
  for (const [path, tags] of cls.auto) for (const t of tags) mark(path, t);
  for (const path of s.optional) mark(path, 'optional');
  for (const [path, tags] of userTags) if (cls.idOf(path) >= 0) for (const t of tags) mark(path, t);
  for (const [path, tags] of perPath) {
    for (const t of tags) {
      if ((CATEGORIES as readonly string[]).includes(t) && t !== 'debug') continue;
      let outer = true;
      for (let p = path; p !== '' && outer; ) {
        p = parentOf(p);
        if (perPath.get(p)?.has(t)) outer = false;
      }
      if (outer) count(t, path);
    }
  }
  return out;
}
