import { useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Checkpoint } from '../../../shared/schemas/index.js';
import { collator } from '../../api/checkpoint-details.js';
import { stillReading, useCheckpoints, useModelsProgress } from '../../api/hooks.js';
import { keys } from '../../api/keys.js';
import {
  applyFilter,
  applySort,
  EMPTY_FILTER,
  firstOrder,
  metricColumns,
  metricNames,
  type ModelFilter,
  type ModelSortKey,
  type SortOrder,
} from './models-view.js';

const NO_ITEMS: Checkpoint[] = [];

/** The Models page's state: the list, its progress, filters, sort and selection. */
export function useModelsModel() {
  const qc = useQueryClient();
  const summary = useModelsProgress();
  const reading = stillReading(summary.data);
  const list = useCheckpoints(reading);
  const items = list.data ?? NO_ITEMS;

  // The last poll can land just before the last model is read: fetch once more when reading ends.
  const wasReading = useRef(reading);
  useEffect(() => {
    if (wasReading.current && !reading) void qc.invalidateQueries({ queryKey: keys.checkpoints });
    wasReading.current = reading;
  }, [qc, reading]);

  const [filter, setFilterState] = useState<ModelFilter>(EMPTY_FILTER);
  const [sort, setSort] = useState<{ key: ModelSortKey; order: SortOrder }>({ key: 'run', order: 'asc' });
  const [chosenMetric, setChosenMetric] = useState('');
  const [selected, setSelected] = useState<string | null>(null);

  const names = useMemo(() => metricNames(items), [items]);
  const metric = chosenMetric || names[0] || '';
  const columns = useMemo(() => metricColumns(names, metric), [names, metric]);
  const rows = useMemo(() => applySort(applyFilter(items, filter), sort.key, sort.order), [items, filter, sort]);
  // The chosen tag stays offered after its last model loses it, or the select would show a filter that is not applied.
  const tags = useMemo(
    () => [...new Set([...items.flatMap((c) => c.tags), ...(filter.tag ? [filter.tag] : [])])].sort(collator.compare),
    [items, filter.tag],
  );
  const formats = useMemo(() => [...new Set(items.map((c) => c.format))].sort(), [items]);
  const selectedItem = useMemo(() => items.find((c) => c.path === selected) ?? null, [items, selected]);

  return {
    summary: summary.data,
    reading,
    items,
    error: list.error,
    isPending: list.isPending,
    rows,
    filter,
    setFilter: (patch: Partial<ModelFilter>) => setFilterState((f) => ({ ...f, ...patch })),
    sort,
    sortBy: (key: ModelSortKey) =>
      setSort((s) => (s.key === key ? { key, order: s.order === 'asc' ? 'desc' : 'asc' } : { key, order: firstOrder(key) })),
    metricNames: names,
    metric,
    /** Shows the metric in the first metric column and sorts by it, best values first. */
    chooseMetric: (name: string) => {
      setChosenMetric(name);
      if (name) setSort({ key: `metric:${name}`, order: firstOrder(`metric:${name}`) });
    },
    columns,
    tags,
    formats,
    selected,
    selectedItem,
    setSelected,
  };
}

export type ModelsModel = ReturnType<typeof useModelsModel>;
