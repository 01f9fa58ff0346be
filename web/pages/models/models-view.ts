import type { Checkpoint } from '../../../shared/schemas/index.js';
import { bestFirst, checkpointName, collator } from '../../api/checkpoint-details.js';

export type SortOrder = 'asc' | 'desc';
/** A column to sort by; metrics are `metric:<name>`. */
export type ModelSortKey = 'run' | 'name' | 'format' | 'size' | 'epoch' | 'integrity' | 'refs' | `metric:${string}`;

export interface ModelFilter {
  q: string;
  format: string;
  tag: string;
  integrity: string;
}

export const EMPTY_FILTER: ModelFilter = { q: '', format: '', tag: '', integrity: '' };

/** Metric columns the table shows beside the chosen one. */
export const METRIC_COLUMNS = 3;

/** Metric names, the ones most checkpoints have first (ties by name). */
export function metricNames(items: Checkpoint[]): string[] {
  const counts = new Map<string, number>();
  for (const c of items) for (const name of Object.keys(c.metrics)) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0])).map(([name]) => name);
}

/** The chosen metric first, then the most common others, up to METRIC_COLUMNS. */
export function metricColumns(names: string[], chosen: string): string[] {
  const first = chosen && names.includes(chosen) ? [chosen] : [];
  return [...first, ...names.filter((n) => n !== chosen)].slice(0, METRIC_COLUMNS);
}

export function applyFilter(items: Checkpoint[], f: ModelFilter): Checkpoint[] {
  const q = f.q.trim().toLowerCase();
  if (!q && !f.format && !f.tag && !f.integrity) return items;
  return items.filter(
    (c) =>
      (!q || c.path.toLowerCase().includes(q)) &&
      (!f.format || c.format === f.format) &&
      (!f.tag || c.tags.includes(f.tag)) &&
      (!f.integrity || c.integrity.status === f.integrity),
  );
}

// Worst first when sorting ascending, so a problem is one click away.
const INTEGRITY_RANK: Record<Checkpoint['integrity']['status'], number> = { corrupt: 0, truncated: 1, writing: 2, unchecked: 3, ok: 4 };

type SortValue = string | number | undefined;

function valueOf(c: Checkpoint, key: ModelSortKey): SortValue {
  switch (key) {
    case 'run':
      return c.run;
    case 'name':
      return checkpointName(c.path);
    case 'format':
      return c.format;
    case 'size':
      return c.bytes;
    case 'epoch':
      return c.epoch ?? (c.step !== undefined ? -1 : undefined);
    case 'integrity':
      return INTEGRITY_RANK[c.integrity.status];
    case 'refs':
      return c.references.length;
    default:
      return c.metrics[key.slice('metric:'.length)];
  }
}

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Sorted copy; checkpoints without the value (no such metric) always go last, whatever the order. */
export function applySort(items: Checkpoint[], key: ModelSortKey, order: SortOrder): Checkpoint[] {
  const dir = order === 'asc' ? 1 : -1;
  const keyed = items.map((c) => ({ c, v: valueOf(c, key) }));
  keyed.sort((x, y) => {
    const xMissing = x.v === undefined || (typeof x.v === 'number' && Number.isNaN(x.v));
    const yMissing = y.v === undefined || (typeof y.v === 'number' && Number.isNaN(y.v));
    if (xMissing !== yMissing) return xMissing ? 1 : -1;
    const primary = xMissing ? 0 : dir * compareValues(x.v, y.v);
    if (primary !== 0) return primary;
    // Epoch ties (and equal metrics) fall back to the step, then to the path, so the order is stable.
    const steps = key === 'epoch' ? dir * ((x.c.step ?? -1) - (y.c.step ?? -1)) : 0;
    return steps || collator.compare(x.c.path, y.c.path);
  });
  return keyed.map((k) => k.c);
}

/** The order a column starts in when first clicked: biggest sizes and most references, best metric values. */
export function firstOrder(key: ModelSortKey): SortOrder {
  if (key === 'size' || key === 'refs') return 'desc';
  if (key.startsWith('metric:')) return bestFirst(key.slice('metric:'.length));
  return 'asc';
}
