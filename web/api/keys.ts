import type { SortKey, SortOrder } from '../../shared/schemas/index.js';

/** The spans GET /api/history can chart. */
export type HistoryRange = '1h' | '24h' | '7d' | 'all';

/** How a folder's children are listed; part of every tree page key. */
export interface TreeView {
  sort: SortKey;
  order: SortOrder;
  q: string;
  tag: string;
}

/** The tree page's first view; the overview lists the same page, so they share one cache entry. */
export const DEFAULT_TREE_VIEW: TreeView = { sort: 'size', order: 'desc', q: '', tag: '' };

/**
 * Rows per /api/tree request: a first page fills a tall screen about twice over (rows are 30 px),
 * and the grid fetches further pages a screen ahead of the scroll. Each row costs the server its
 * tags and protection, so a bigger page only slows the first rows down for every open tab.
 */
export const TREE_PAGE_SIZE = 100;

/** Query keys in one place so event handlers patch exactly what hooks read. */
export const keys = {
  summary: ['summary'] as const,
  jobs: ['jobs'] as const,
  treeAll: ['tree'] as const,
  treeFolder: (path: string) => ['tree', path] as const,
  treePage: (path: string, view: TreeView, page: number) => ['tree', path, view, page] as const,
  entryAll: ['entry'] as const,
  entry: (path: string) => ['entry', path] as const,
  checkpoints: ['checkpoints'] as const,
  /** Under `checkpoints`, so whatever marks the list stale marks the run totals too. */
  checkpointRuns: (limit: number) => ['checkpoints', 'runs', limit] as const,
  historyAll: ['history'] as const,
  history: (range: HistoryRange) => ['history', range] as const,
};

export type TreePageKey = ReturnType<typeof keys.treePage>;
