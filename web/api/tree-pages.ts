import { useEffect, useState } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { TreePage } from '../../shared/schemas/index.js';
import { api } from './client.js';
import { keys, TREE_PAGE_SIZE, type TreeView } from './keys.js';

// A folder's children live in the query cache as pages of TREE_PAGE_SIZE, keyed
// by folder, view and page number, so event patches and refetches touch only
// the pages a change concerns, and a 100,000-child folder is fetched as it scrolls.

/** Unobserved pages must outlive a scroll away and back, or expanded rows below them would collapse. */
const TREE_GC_MS = 30 * 60_000;
/** A failed page is retried when it comes into view again, but not on every frame. */
const ERROR_RETRY_MS = 5_000;

function fetchPage(path: string, view: TreeView, page: number, signal?: AbortSignal): Promise<TreePage> {
  return api.get<TreePage>(
    '/api/tree',
    { path, sort: view.sort, order: view.order, q: view.q, tag: view.tag, offset: page * TREE_PAGE_SIZE, limit: TREE_PAGE_SIZE },
    signal,
  );
}

function pageOptions(path: string, view: TreeView, page: number) {
  return {
    queryKey: keys.treePage(path, view, page),
    queryFn: ({ signal }: { signal?: AbortSignal }) => fetchPage(path, view, page, signal),
    gcTime: TREE_GC_MS,
    retry: false,
  };
}

export function readTreePage(qc: QueryClient, path: string, view: TreeView, page: number): TreePage | undefined {
  return qc.getQueryData<TreePage>(keys.treePage(path, view, page));
}

/** Loads a page unless it is cached and fresh; invalidated pages (after an event) are refetched here. */
export function ensureTreePage(qc: QueryClient, path: string, view: TreeView, page: number): void {
  const state = qc.getQueryState(keys.treePage(path, view, page));
  if (state?.fetchStatus === 'fetching') return;
  if (state?.status === 'error' && Date.now() - state.errorUpdatedAt < ERROR_RETRY_MS) return;
  if (state?.status === 'success' && !state.isInvalidated) return;
  // The error stays in the query state, where the waiting row reads it (treePageError).
  qc.fetchQuery({ ...pageOptions(path, view, page), staleTime: Infinity }).catch(() => undefined);
}

/** The error of a page, if its last fetch failed. */
export function treePageError(qc: QueryClient, path: string, view: TreeView, page: number): Error | null {
  return qc.getQueryState(keys.treePage(path, view, page))?.error ?? null;
}

/**
 * A number that changes whenever any cached tree page changes, at most once
 * per animation frame: the flattened tree rebuilds from the cache on it.
 */
export function useTreeCacheVersion(): number {
  const qc = useQueryClient();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = qc.getQueryCache().subscribe((event) => {
      // Observer bookkeeping changes no data; fetches, results and removals do.
      if (frame || event.query.queryKey[0] !== 'tree' || (event.type !== 'updated' && event.type !== 'removed')) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [qc]);
  return version;
}

/**
 * One folder's listing state (total, loading, error) through its first page.
 * Further pages are loaded by the rows that need them (ensureTreePage), so
 * only what scrolls into view is fetched.
 */
export function useTree(path: string, view: TreeView) {
  const first = useQuery(pageOptions(path, view, 0));
  return { total: first.data?.total, firstPage: first.data?.entries, isPending: first.isPending, error: first.error };
}
