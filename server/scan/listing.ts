import type { SortKey, SortOrder } from '../../shared/schemas/common.js';
import type { TreePage } from '../../shared/schemas/api.js';
import { naturalCompare } from '../../shared/natural-sort.js';
import { KIND_DIR } from './batch.js';
import { F_DUP, F_OTHERFS } from './columns.js';
import { tagsOfEntry, toEntry, type TagProvider } from './entry-view.js';
import { searchSubtree } from './search.js';
import type { TreeIndex } from './tree-index.js';

/** What `list` accepts (the parsed `GET /api/tree` query minus the path). */
export interface ListQuery {
  sort?: SortKey;
  order?: SortOrder;
  offset?: number;
  limit?: number;
  /** A tag to keep; `error` keeps entries with an error. */
  tag?: string;
  /** Case-insensitive substring of the name; with `tag`, searches the whole subtree. */
  q?: string;
}

export const DEFAULT_LIMIT = 500;

/**
 * One folder's children as sorted once and reused: a 100,000-child folder
 * pays for its sort on the first page and answers the next pages from the
 * cached order. The index drops the view whenever a child is added, removed
 * or changes a sorted value.
 */
interface FolderView {
  ids: Int32Array;
  names: string[];
  /** Sort key:direction → positions into ids/names. */
  orders: Map<string, Uint32Array>;
}

/** Views kept at once; the least recently used go first. */
const MAX_VIEWS = 32;

export function listFolder(ix: TreeIndex, path: string, q: ListQuery, provider?: TagProvider): TreePage | null {
  if ((q.q !== undefined && q.q !== '') || (q.tag !== undefined && q.tag !== '')) {
    const tag = q.tag ?? '';
    return searchSubtree(ix, path, q, (id, p) => tag === '' || hasTag(ix, id, tag, p, provider), provider);
  }
  const id = ix.lookup(path);
  if (id < 0 || ix.kind(id) !== KIND_DIR) return null;
  const view = viewOf(ix, id);
  const order = sortedPositions(ix, view, q.sort ?? 'size', q.order ?? (q.sort === 'name' ? 'asc' : 'desc'));
  const prefix = path === '' ? '' : `${path}/`;
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.max(0, Math.floor(q.limit ?? DEFAULT_LIMIT));
  const page = order.subarray(Math.min(offset, order.length), Math.min(offset + limit, order.length));
  const entries = Array.from(page, (p) => toEntry(ix, view.ids[p], prefix + view.names[p], provider));
  return { path, total: order.length, entries };
}

function viewOf(ix: TreeIndex, dir: number): FolderView {
  const cached = ix.caches.get(dir) as FolderView | undefined;
  if (cached !== undefined) {
    ix.caches.delete(dir);
    ix.caches.set(dir, cached);
    return cached;
  }
  const ids = Int32Array.from(ix.childrenOf(dir));
  const names = Array.from(ids, (ch) => ix.nameOf(ch));
  const view: FolderView = { ids, names, orders: new Map() };
  while (ix.caches.size >= MAX_VIEWS) ix.caches.delete(ix.caches.keys().next().value!);
  ix.caches.set(dir, view);
  return view;
}

/** Positions into `view.ids`, in the asked order (cached per key and direction). */
function sortedPositions(ix: TreeIndex, view: FolderView, sort: SortKey, order: SortOrder): Uint32Array {
  const key = `${sort}:${order}`;
  const hit = view.orders.get(key);
  if (hit !== undefined) return hit;
  const n = view.ids.length;
  const names = view.names;
  const pos = Array.from({ length: n }, (_, i) => i);
  if (sort === 'name') {
    pos.sort(order === 'asc' ? (a, b) => naturalCompare(names[a], names[b]) : (a, b) => naturalCompare(names[b], names[a]));
  } else {
    const col = sort === 'size' ? ix.c.bytes : sort === 'disk' ? ix.c.disk : ix.c.mtimeMs;
    const vals = Float64Array.from(view.ids, (ch) => col[ch]);
    const sign = order === 'asc' ? 1 : -1;
    // Ties (many equal sizes are common) always fall back to natural name order.
    pos.sort((a, b) => (vals[a] - vals[b]) * sign || naturalCompare(names[a], names[b]));
  }
  const out = Uint32Array.from(pos);
  view.orders.set(key, out);
  return out;
}

function hasTag(ix: TreeIndex, id: number, tag: string, path: () => string, provider: TagProvider | undefined): boolean {
  // Whatever shows an error matches, the EXDEV mark of a mount point included.
  if (tag === 'error') return ix.errorOf(id) !== undefined || (ix.c.flags[id] & F_OTHERFS) !== 0;
  if (tag === 'hardlink') return (ix.c.flags[id] & F_DUP) !== 0;
  return tagsOfEntry(ix, id, path(), provider).includes(tag);
}
