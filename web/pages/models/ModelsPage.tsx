import { useRef } from 'react';
import { useSlashSearch } from '../../components/use-slash-search.js';
import { useTagFocus } from '../../components/use-tag-focus.js';
import { formatCount } from '../../format.js';
import { ModelDetailsPane } from './ModelDetailsPane.js';
import { ModelsTable } from './ModelsTable.js';
import { ModelsToolbar } from './ModelsToolbar.js';
import { useModelsModel } from './use-models-model.js';
import styles from './ModelsPage.module.css';

export function ModelsPage() {
  const model = useModelsModel();
  const searchRef = useSlashSearch();
  const paneRef = useRef<HTMLElement>(null);
  const tagFocus = useTagFocus();

  const { summary, items, rows, filter } = model;
  const filtered = filter.q !== '' || filter.format !== '' || filter.tag !== '' || filter.integrity !== '';
  const progress = summary?.models;
  const count = filtered
    ? `${formatCount(rows.length)} of ${formatCount(items.length)} checkpoints`
    : `${formatCount(items.length)} ${items.length === 1 ? 'checkpoint' : 'checkpoints'}`;

  const emptyMessage = model.isPending
    ? 'Loading…'
    : items.length === 0
      ? model.reading
        ? 'Reading models…'
        : 'No checkpoints found under the root.'
      : filtered
        ? 'No checkpoint matches the filters.'
        : null;

  return (
    <div className={styles.page}>
      <div className={styles.top}>
        <h1 className={styles.heading}>Models</h1>
        <span className={styles.status} role="status" aria-label="Models progress">
          {model.reading && progress ? (
            <span className={styles.progress}>
              <span>
                Reading models {formatCount(progress.read)}/{formatCount(progress.total)}
              </span>
              <progress value={progress.read} max={Math.max(1, progress.total)} aria-hidden="true" />
            </span>
          ) : (
            !model.isPending && count
          )}
        </span>
      </div>
      <ModelsToolbar
        ref={searchRef}
        filter={filter}
        onFilter={model.setFilter}
        formats={model.formats}
        tags={model.tags}
        metricNames={model.metricNames}
        metric={model.metric}
        onMetric={model.chooseMetric}
      />
      <div className={styles.split}>
        <div className={styles.main}>
          {model.error && (
            <p role="alert" className={styles.error}>
              Could not list the checkpoints: {model.error.message}
            </p>
          )}
          <ModelsTable
            rows={rows}
            metrics={model.columns}
            sort={model.sort}
            onSort={model.sortBy}
            selected={model.selected}
            onSelect={model.setSelected}
            onOpen={() => paneRef.current?.focus()}
            onTagKey={tagFocus.focusTags}
            emptyMessage={emptyMessage}
          />
        </div>
        <ModelDetailsPane
          ref={paneRef}
          checkpoint={model.selectedItem}
          tagInputRef={tagFocus.inputRef}
          onTagsDone={tagFocus.returnFocus}
        />
      </div>
    </div>
  );
}
