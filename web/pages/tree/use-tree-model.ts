import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { SortKey, SortOrder } from '../../../shared/schemas/index.js';
import { useSummary } from '../../api/hooks.js';
import { DEFAULT_TREE_VIEW, type TreeView } from '../../api/keys.js';
import { useTree, useTreeCacheVersion } from '../../api/tree-pages.js';
import { useDebouncedValue } from '../../use-debounced-value.js';
import { buildTreeLayout } from './tree-layout.js';

const SEARCH_DEBOUNCE_MS = 250;

/** Names read best A→Z; sizes and dates are interesting biggest or newest first. */
const DEFAULT_ORDER: Record<SortKey, SortOrder> = { name: 'asc', size: 'desc', disk: 'desc', mtime: 'desc' };

interface Remembered {
  sort: SortKey;
  order: SortOrder;
  search: string;
  tag: string;
  expanded: ReadonlySet<string>;
  selected: string | null;
}

/** Survives leaving the Tree page for another page and coming back (not a reload). */
let remembered: Remembered = { ...DEFAULT_TREE_VIEW, search: '', expanded: new Set(), selected: null };

/** The tree page's state: the view (sort, filters), which folders are open, the selection, and the flat layout. */
export function useTreeModel() {
  const qc = useQueryClient();
  const summary = useSummary().data;
  const [sort, setSort] = useState(remembered.sort);
  const [order, setOrder] = useState(remembered.order);
  const [search, setSearch] = useState(remembered.search);
  const [tag, setTag] = useState(remembered.tag);
  const [expanded, setExpanded] = useState(remembered.expanded);
  const [selected, setSelected] = useState(remembered.selected);
  useEffect(() => {
    remembered = { sort, order, search, tag, expanded, selected };
  }, [sort, order, search, tag, expanded, selected]);

  const q = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);
  const view = useMemo<TreeView>(() => ({ sort, order, q, tag }), [sort, order, q, tag]);
  const root = useTree('', view);
  const version = useTreeCacheVersion();
  const rootBytes = summary?.totals.bytes ?? 0;
  const rootDiskBytes = summary?.totals.diskBytes ?? 0;

  const layout = useMemo(
    () => buildTreeLayout(qc, view, expanded, { bytes: rootBytes, diskBytes: rootDiskBytes }),
    // `version` stands for the cached pages the layout reads.
    [qc, view, expanded, version, rootBytes, rootDiskBytes],
  );

  const setOpen = useCallback((path: string, open: boolean) => {
    setExpanded((before) => {
      if (before.has(path) === open) return before;
      const next = new Set(before);
      if (open) next.add(path);
      else for (const p of before) if (p === path || p.startsWith(`${path}/`)) next.delete(p);
      return next;
    });
  }, []);

  const sortBy = useCallback(
    (key: SortKey) => {
      if (key === sort) setOrder((o) => (o === 'asc' ? 'desc' : 'asc'));
      else {
        setSort(key);
        setOrder(DEFAULT_ORDER[key]);
      }
    },
    [sort],
  );

  return {
    view,
    layout,
    root,
    tags: summary?.tags ?? {},
    search,
    setSearch,
    tag,
    setTag,
    sortBy,
    expanded,
    setOpen,
    collapseAll: () => setExpanded(new Set()),
    selected,
    setSelected,
  };
}
