import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { SortKey } from '../../../shared/schemas/index.js';
import { TREE_PAGE_SIZE, type TreeView } from '../../api/keys.js';
import { ensureTreePage, treePageError } from '../../api/tree-pages.js';
import { GRID_HEADER_HEIGHT as HEADER_HEIGHT, takeGridKey, useVirtualGrid } from '../../components/use-virtual-grid.js';
import type { TreeLayout } from './tree-layout.js';
import { TreeRow } from './TreeRow.js';
import styles from './TreeGrid.module.css';

const ROW_HEIGHT = 30;

interface Props {
  layout: TreeLayout;
  view: TreeView;
  selected: string | null;
  onSelect: (path: string) => void;
  onOpen: (path: string, open: boolean) => void;
  onSort: (key: SortKey) => void;
  /** `t` on the selected row: the details pane's tag input takes the keyboard. */
  onTagKey?: () => void;
  /** Shown in place of rows when the listing is empty. */
  emptyMessage?: string;
}

const COLUMNS: { key: SortKey | null; label: string; className: string }[] = [
  { key: 'name', label: 'Name', className: styles.colName },
  { key: 'size', label: 'Size', className: styles.colNum },
  { key: null, label: 'Share', className: styles.colBar },
  { key: 'disk', label: 'On disk', className: styles.colNum },
  { key: null, label: 'Files', className: styles.colNum },
  { key: 'mtime', label: 'Modified', className: styles.colNum },
];

/** Keys the tree handles itself; the rest (Tab, typing) keep their browser meaning. */
const NAV_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown', 'Enter', ' ']);
const TAG_KEYS = new Set(['t']);

export function TreeGrid({ layout, view, selected, onSelect, onOpen, onSort, onTagKey, emptyMessage }: Props) {
  const qc = useQueryClient();
  const { scrollRef, virtualizer, items, scrollTo, step } = useVirtualGrid(layout.count, ROW_HEIGHT);
  // A key press can land on a row whose page is still loading; select it when it arrives.
  const pendingRef = useRef<number | null>(null);
  // The row the keys selected last: a key pressed before that selection has rendered steps on from it.
  const keyedRef = useRef<{ flat: number; path: string } | null>(null);
  const rows = items.map((item) => layout.rowAt(item.index));
  const selectedFlat = selected === null ? null : layout.indexOf(selected);
  // aria-activedescendant may only name a row that is rendered.
  const activeRow = selectedFlat !== null && items.some((item) => item.index === selectedFlat) ? `tree-row-${selectedFlat}` : undefined;

  // Fetch the pages the visible rows need (and refetch those an event made stale).
  const needed = new Map<string, { path: string; page: number }>();
  const pageOf = (row: (typeof rows)[number]) => (row.kind === 'loading' ? 0 : Math.floor(row.index / TREE_PAGE_SIZE));
  const need = (row: (typeof rows)[number]) => needed.set(`${pageOf(row)}:${row.folder.path}`, { path: row.folder.path, page: pageOf(row) });
  rows.forEach(need);
  // And the rows about a screen beyond either end, so a scroll finds its next page loaded or on the way.
  if (items.length > 0) {
    const ahead = Math.ceil(items.length / 2);
    for (const flat of [items[0].index - ahead, items[items.length - 1].index + ahead]) {
      if (flat >= 0 && flat < layout.count) need(layout.rowAt(flat));
    }
  }
  const neededKey = [...needed.keys()].join('\n');
  useEffect(() => {
    for (const { path, page } of needed.values()) ensureTreePage(qc, path, view, page);
    // `neededKey` is `needed` as a comparable value; `layout` changes when an event makes pages stale.
  }, [qc, view, neededKey, layout]);

  const selectByKeys = (flat: number, path: string) => {
    pendingRef.current = null;
    keyedRef.current = { flat, path };
    onSelect(path);
  };

  // A selection made another way (a click, the details pane) ends the wait for a loading row.
  useEffect(() => {
    if (selected === keyedRef.current?.path) return;
    keyedRef.current = null;
    pendingRef.current = null;
  }, [selected]);

  useEffect(() => {
    const pending = pendingRef.current;
    if (pending === null) return;
    const row = pending < layout.count ? layout.rowAt(pending) : null;
    if (row?.kind === 'entry' && row.entry) selectByKeys(pending, row.entry.path);
  }, [layout, onSelect]);

  const moveTo = (flat: number) => {
    const target = scrollTo(flat);
    if (target === null) return;
    const row = layout.rowAt(target);
    if (row.kind === 'entry' && row.entry) selectByKeys(target, row.entry.path);
    else pendingRef.current = target;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (selected !== null && onTagKey && takeGridKey(e, TAG_KEYS)) return onTagKey();
    if (!takeGridKey(e, NAV_KEYS)) return;
    const current = selectedFlat ?? -1;
    const found = current >= 0 ? layout.rowAt(current) : null;
    const row = found?.kind === 'entry' ? found : null;
    const entry = row?.entry;
    const isDir = entry?.kind === 'dir' && entry.children !== 0;
    // Steps go on from where the last one led, even while its row is loading or its selection has
    // not rendered yet: held or repeated PageDown keeps moving through pages that arrive on the way.
    const keyed = keyedRef.current;
    const stepped = step(e.key, pendingRef.current ?? (keyed && keyed.path !== selected ? keyed.flat : current));
    if (stepped !== null) return moveTo(stepped);
    switch (e.key) {
      case 'ArrowRight':
        if (!row || !entry) return moveTo(0);
        if (isDir && !row.open) return onOpen(entry.path, true);
        if (isDir) return moveTo(current + 1);
        return;
      case 'ArrowLeft':
        if (!row || !entry) return;
        if (row.open) return onOpen(entry.path, false);
        if (row.folder.row !== null) return moveTo(row.folder.row);
        return;
      case 'Enter':
      case ' ':
        if (row && entry && isDir) onOpen(entry.path, !row.open);
        return;
    }
  };

  return (
    <div
      ref={scrollRef}
      className={styles.grid}
      role="treegrid"
      aria-label="Checkpoints tree"
      aria-rowcount={layout.count + 1}
      aria-multiselectable={false}
      aria-activedescendant={activeRow}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className={styles.head} style={{ height: HEADER_HEIGHT }}>
        <div role="row" aria-rowindex={1} className={styles.columns}>
          {COLUMNS.map((col) => {
            const active = col.key !== null && col.key === view.sort;
            return (
              <div
                key={col.label}
                role="columnheader"
                className={col.className}
                aria-sort={active ? (view.order === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {col.key ? (
                  <button type="button" className={styles.sort} onClick={() => onSort(col.key!)}>
                    {col.label}
                    <span className={styles.arrow} aria-hidden="true">
                      {active ? (view.order === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                ) : (
                  col.label
                )}
              </div>
            );
          })}
        </div>
      </div>
      <div role="rowgroup" className={styles.body} style={{ height: virtualizer.getTotalSize() }}>
        {layout.count === 0 && emptyMessage && (
          <div role="row" className={styles.empty}>
            <div role="gridcell">{emptyMessage}</div>
          </div>
        )}
        {items.map((item, i) => (
          <TreeRow
            key={item.key}
            row={rows[i]}
            sort={view.sort}
            top={item.start - HEADER_HEIGHT}
            height={ROW_HEIGHT}
            loadError={
              rows[i].kind === 'loading' || !rows[i].entry ? treePageError(qc, rows[i].folder.path, view, pageOf(rows[i])) : null
            }
            selected={selected !== null && rows[i].kind === 'entry' && rows[i].entry?.path === selected}
            onSelect={onSelect}
            onOpen={onOpen}
          />
        ))}
      </div>
    </div>
  );
}
