import type { QueryClient } from '@tanstack/react-query';
import type { Entry, TreePage } from '../../../shared/schemas/index.js';
import { TREE_PAGE_SIZE, type TreeView } from '../../api/keys.js';
import { readTreePage } from '../../api/tree-pages.js';

// The tree as one flat list of rows for the virtualizer, without materialising
// the rows: each open folder is a block of its children plus the blocks of its
// expanded children, so finding row i costs the number of expanded folders on
// the way down, not the number of rows (a folder may hold 100,000 children).

/** An open folder (or the root) and the rows its listing occupies. */
export interface FolderBlock {
  path: string;
  /** aria-level of the folder's children (the root's children are level 1). */
  depth: number;
  /** Flat index of the folder's own row; null for the root, which has no row. */
  row: number | null;
  /** Flat index of the first child row. */
  start: number;
  /** Rows taken by the children and their expanded descendants (1 while the first page loads). */
  size: number;
  /** Number of children, unknown until the first page arrives. */
  total: number | undefined;
  /** The folder's own sizes: size bars are shares of these. */
  bytes: number;
  diskBytes: number;
  /** Expanded children in listing order, with their child index and their blocks. */
  kids: { index: number; block: FolderBlock }[];
}

export type Row =
  | { kind: 'entry'; flat: number; folder: FolderBlock; index: number; entry: Entry | undefined; open: FolderBlock | undefined }
  | { kind: 'loading'; flat: number; folder: FolderBlock };

export interface TreeLayout {
  root: FolderBlock;
  count: number;
  rowAt(flat: number): Row;
  /** Flat index of an entry whose page is cached, or null. */
  indexOf(path: string): number | null;
}

// Per cached page (pages are immutable: an edit makes a new object) the positions of its folders and paths.
const dirIndexCache = new WeakMap<TreePage, number[]>();
const pathIndexCache = new WeakMap<TreePage, Map<string, number>>();

function dirIndexes(page: TreePage): number[] {
  let found = dirIndexCache.get(page);
  if (!found) {
    found = [];
    page.entries.forEach((e, i) => e.kind === 'dir' && found!.push(i));
    dirIndexCache.set(page, found);
  }
  return found;
}

function pathIndex(page: TreePage): Map<string, number> {
  let found = pathIndexCache.get(page);
  if (!found) {
    found = new Map(page.entries.map((e, i) => [e.path, i]));
    pathIndexCache.set(page, found);
  }
  return found;
}

export function buildTreeLayout(
  qc: QueryClient,
  view: TreeView,
  expanded: ReadonlySet<string>,
  rootSizes: { bytes: number; diskBytes: number },
): TreeLayout {
  const blocks = new Map<string, FolderBlock>();

  const build = (path: string, depth: number, row: number | null, sizes: { bytes: number; diskBytes: number }): FolderBlock => {
    const first = readTreePage(qc, path, view, 0);
    const block: FolderBlock = { path, depth, row, start: (row ?? -1) + 1, size: 1, total: first?.total, ...sizes, kids: [] };
    blocks.set(path, block);
    if (!first) return block;
    let extra = 0;
    const pages = Math.ceil(first.total / TREE_PAGE_SIZE);
    for (let p = 0; p < pages; p++) {
      const page = p === 0 ? first : readTreePage(qc, path, view, p);
      if (!page) continue;
      for (const i of dirIndexes(page)) {
        const entry = page.entries[i];
        const index = p * TREE_PAGE_SIZE + i;
        // A path must grow on the way down: a bad listing can then never loop.
        if (!expanded.has(entry.path) || index >= first.total || (path !== '' && !entry.path.startsWith(`${path}/`))) continue;
        const kid = build(entry.path, depth + 1, block.start + index + extra, entry);
        block.kids.push({ index, block: kid });
        extra += kid.size;
      }
    }
    block.size = first.total + extra;
    return block;
  };

  const root = build('', 1, null, rootSizes);

  const entryRow = (folder: FolderBlock, index: number, flat: number, open?: FolderBlock): Row => {
    const page = readTreePage(qc, folder.path, view, Math.floor(index / TREE_PAGE_SIZE));
    return { kind: 'entry', flat, folder, index, entry: page?.entries[index % TREE_PAGE_SIZE], open };
  };

  const rowAt = (flat: number): Row => {
    let folder = root;
    for (;;) {
      if (folder.total === undefined) return { kind: 'loading', flat, folder };
      let before = 0;
      let descend: FolderBlock | null = null;
      for (const kid of folder.kids) {
        const kidRow = kid.block.row!;
        if (flat < kidRow) break;
        if (flat === kidRow) return entryRow(folder, kid.index, flat, kid.block);
        if (flat < kidRow + 1 + kid.block.size) {
          descend = kid.block;
          break;
        }
        before += kid.block.size;
      }
      if (!descend) return entryRow(folder, flat - folder.start - before, flat);
      folder = descend;
    }
  };

  const indexIn = (folder: FolderBlock, path: string): number | null => {
    if (folder.total === undefined) return null;
    const pages = Math.ceil(folder.total / TREE_PAGE_SIZE);
    for (let p = 0; p < pages; p++) {
      const page = readTreePage(qc, folder.path, view, p);
      const i = page && pathIndex(page).get(path);
      if (i === undefined || i === null) continue;
      const index = p * TREE_PAGE_SIZE + i;
      let before = 0;
      for (const kid of folder.kids) {
        if (kid.index >= index) break;
        before += kid.block.size;
      }
      return folder.start + index + before;
    }
    return null;
  };

  const indexOf = (path: string): number | null => {
    const slash = path.lastIndexOf('/');
    const parent = blocks.get(slash < 0 ? '' : path.slice(0, slash));
    if (parent) {
      const found = indexIn(parent, path);
      if (found !== null) return found;
    }
    // A filtered listing may show entries below their parent folder's block.
    for (const block of blocks.values()) {
      if (block === parent) continue;
      const found = indexIn(block, path);
      if (found !== null) return found;
    }
    return null;
  };

  return { root, count: root.size, rowAt, indexOf };
}
