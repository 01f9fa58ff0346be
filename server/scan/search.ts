import type { TreePage } from '../../shared/schemas/api.js';
import { naturalCompare } from '../../shared/natural-sort.js';
import { KIND_DIR } from './batch.js';
import { toEntry, type TagProvider } from './entry-view.js';
import type { ListQuery } from './listing.js';
import type { TreeIndex } from './tree-index.js';

/** Matches kept per search: enough for any screen, bounded for a million-entry tree. */
export const MAX_MATCHES = 20_000;

interface Match {
  id: number;
  path: string;
  name: string;
}

/**
 * Entries at any depth below `path` whose name contains `q` (case-insensitive)
 * and that carry `tag`: what a user means by searching a tree. Paths come
 * back whole so the page can show where each match lives. `isMatch` decides
 * the tag part so the listing's tag rules stay in one place.
 */
export function searchSubtree(
  ix: TreeIndex,
  path: string,
  q: ListQuery,
  isMatch: (id: number, path: () => string) => boolean,
  provider?: TagProvider,
): TreePage | null {
  const start = ix.lookup(path);
  if (start < 0 || ix.kind(start) !== KIND_DIR) return null;
  const needle = (q.q ?? '').toLowerCase();
  const found: Match[] = [];
  let total = 0;
  // Depth-first with an explicit stack: 1,000-level nesting must not overflow the call stack.
  const stack: { id: number; prefix: string }[] = [{ id: start, prefix: path === '' ? '' : `${path}/` }];
  while (stack.length > 0) {
    const { id: dir, prefix } = stack.pop()!;
    for (const ch of ix.childrenOf(dir)) {
      const name = ix.nameOf(ch);
      const full = prefix + name;
      if ((needle === '' || name.toLowerCase().includes(needle)) && isMatch(ch, () => full)) {
        total++;
        if (found.length < MAX_MATCHES) found.push({ id: ch, path: full, name });
      }
      if (ix.kind(ch) === KIND_DIR) stack.push({ id: ch, prefix: `${full}/` });
    }
  }
  const sort = q.sort ?? 'size';
  const sign = (q.order ?? (sort === 'name' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
  if (sort === 'name') {
    found.sort((a, b) => sign * naturalCompare(a.name, b.name) || naturalCompare(a.path, b.path));
  } else {
    const col = sort === 'size' ? ix.c.bytes : sort === 'disk' ? ix.c.disk : ix.c.mtimeMs;
    found.sort((a, b) => (col[a.id] - col[b.id]) * sign || naturalCompare(a.path, b.path));
  }
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.max(0, Math.floor(q.limit ?? 500));
  const entries = found.slice(offset, offset + limit).map((m) => toEntry(ix, m.id, m.path, provider));
  return { path, total: Math.min(total, MAX_MATCHES), entries };
}
