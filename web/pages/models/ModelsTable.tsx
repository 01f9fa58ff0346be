import { useEffect, useState, type CSSProperties, type KeyboardEvent, type RefObject } from 'react';
import type { Checkpoint } from '../../../shared/schemas/index.js';
import { GRID_HEADER_HEIGHT as HEADER_HEIGHT, takeGridKey, useVirtualGrid } from '../../components/use-virtual-grid.js';
import type { ModelSortKey, SortOrder } from './models-view.js';
import { ModelRow } from './ModelRow.js';
import styles from './ModelsTable.module.css';

const ROW_HEIGHT = 32;

interface Props {
  rows: Checkpoint[];
  metrics: string[];
  sort: { key: ModelSortKey; order: SortOrder };
  onSort: (key: ModelSortKey) => void;
  selected: string | null;
  onSelect: (path: string) => void;
  /** Enter on a row: hand the keyboard to the details. */
  onOpen: () => void;
  /** `t` on the selected row: the details pane's tag input takes the keyboard. */
  onTagKey?: () => void;
  emptyMessage: string | null;
}

interface Column {
  key: ModelSortKey | null;
  label: string;
  title?: string;
  align?: 'end';
}

// Column widths: the fixed ones and the minimum of the flexible ones, so a narrow table drops metric columns before it
// truncates paths or scrolls sideways.
const FIXED = { format: 88, size: 90, epoch: 104, integrity: 96, refs: 58, metric: 84 };
const FLEX_MIN = { run: 120, name: 170, tags: 92 };
const BASE_WIDTH = Object.values(FLEX_MIN).reduce((a, b) => a + b, 0) + FIXED.format + FIXED.size + FIXED.epoch + FIXED.integrity + FIXED.refs;

/** The table's width, followed as the window or the details pane changes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

const NAV_KEYS = new Set(['ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown', 'Enter']);
const TAG_KEYS = new Set(['t']);

export function ModelsTable({ rows, metrics: candidates, sort, onSort, selected, onSelect, onOpen, onTagKey, emptyMessage }: Props) {
  const { scrollRef, virtualizer, items, scrollTo, step } = useVirtualGrid(rows.length, ROW_HEIGHT);
  const width = useWidth(scrollRef);
  // The first metric (the chosen one) always stays.
  const fit = Math.max(1, Math.floor((width - BASE_WIDTH) / FIXED.metric));
  const metrics = candidates.slice(0, fit);
  const selectedIndex = selected === null ? -1 : rows.findIndex((c) => c.path === selected);
  // aria-activedescendant may only name a row that is rendered.
  const activeRow = selectedIndex >= 0 && items.some((i) => i.index === selectedIndex) ? `model-row-${selectedIndex}` : undefined;

  const columns: Column[] = [
    { key: 'run', label: 'Run' },
    { key: 'name', label: 'Name' },
    { key: 'format', label: 'Format' },
    { key: 'size', label: 'Size', align: 'end' },
    { key: 'epoch', label: 'Epoch/step', title: 'Epoch / step', align: 'end' },
    ...metrics.map((m): Column => ({ key: `metric:${m}`, label: m, title: `Metric ${m}`, align: 'end' })),
    { key: null, label: 'Tags' },
    { key: 'integrity', label: 'Integrity' },
    { key: 'refs', label: 'Refs', title: 'Project files that reference it', align: 'end' },
  ];
  // Shared by the header and every row so the columns line up; metric columns come and go with the data.
  const template = {
    '--model-columns': [
      `minmax(${FLEX_MIN.run}px, 1fr)`,
      `minmax(${FLEX_MIN.name}px, 1.6fr)`,
      `${FIXED.format}px ${FIXED.size}px ${FIXED.epoch}px`,
      ...metrics.map(() => `${FIXED.metric}px`),
      `minmax(${FLEX_MIN.tags}px, 0.8fr)`,
      `${FIXED.integrity}px ${FIXED.refs}px`,
    ].join(' '),
    // Rows are absolutely placed, so the scroll width has to be stated for a narrow window to scroll sideways.
    '--model-min-width': `${BASE_WIDTH + FIXED.metric * metrics.length}px`,
  } as CSSProperties;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (selectedIndex >= 0 && onTagKey && takeGridKey(e, TAG_KEYS)) return onTagKey();
    if (!takeGridKey(e, NAV_KEYS)) return;
    const stepped = step(e.key, selectedIndex);
    if (stepped !== null) {
      const target = scrollTo(stepped);
      if (target !== null) onSelect(rows[target].path);
    } else if (e.key === 'Enter' && selectedIndex >= 0) {
      onOpen();
    }
  };

  return (
    <div
      ref={scrollRef}
      className={styles.grid}
      style={template}
      role="grid"
      aria-label="Checkpoints"
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length}
      aria-activedescendant={activeRow}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className={styles.head} style={{ height: HEADER_HEIGHT }}>
        <div role="row" aria-rowindex={1} className={styles.columns}>
          {columns.map((col) => {
            const active = col.key !== null && col.key === sort.key;
            return (
              <div
                key={col.label}
                role="columnheader"
                data-align={col.align}
                title={col.title}
                aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {col.key ? (
                  <button type="button" className={styles.sort} onClick={() => onSort(col.key!)}>
                    <span className={styles.label}>{col.label}</span>
                    {active && (
                      <span className={styles.arrow} aria-hidden="true">
                        {sort.order === 'asc' ? '▲' : '▼'}
                      </span>
                    )}
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
        {rows.length === 0 && emptyMessage && (
          <div role="row" className={styles.empty}>
            <div role="gridcell">{emptyMessage}</div>
          </div>
        )}
        {items.map((item) => (
          <ModelRow
            key={rows[item.index].path}
            id={`model-row-${item.index}`}
            rowIndex={item.index + 2}
            checkpoint={rows[item.index]}
            metrics={metrics}
            sortKey={sort.key}
            top={item.start - HEADER_HEIGHT}
            height={ROW_HEIGHT}
            selected={item.index === selectedIndex}
            onSelect={onSelect}
            onOpen={onOpen}
          />
        ))}
      </div>
    </div>
  );
}
