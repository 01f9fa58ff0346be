import { useSlashSearch } from '../../components/use-slash-search.js';
import { useTagFocus } from '../../components/use-tag-focus.js';
import { formatCount } from '../../format.js';
import { EntryDetailsPane } from './EntryDetailsPane.js';
import { TreeGrid } from './TreeGrid.js';
import { TreeToolbar } from './TreeToolbar.js';
import { useTreeModel } from './use-tree-model.js';
import styles from './TreePage.module.css';

export function TreePage() {
  const model = useTreeModel();
  const searchRef = useSlashSearch();
  const tagFocus = useTagFocus();

  const { root, view } = model;
  const filtered = view.q !== '' || view.tag !== '';
  const status =
    root.total === undefined
      ? ''
      : `${formatCount(root.total)}${filtered ? ' matching' : ''} ${root.total === 1 ? 'item' : 'items'} at the top level`;

  return (
    <div className={styles.page}>
      <h1 className="visually-hidden">Tree</h1>
      <TreeToolbar
        ref={searchRef}
        search={model.search}
        onSearch={model.setSearch}
        tag={model.tag}
        onTag={model.setTag}
        tags={model.tags}
        onCollapseAll={model.collapseAll}
        status={status}
      />
      <div className={styles.split}>
        <div className={styles.main}>
          {root.error && (
            <p role="alert" className={styles.error}>
              Could not list the folder: {root.error.message}
            </p>
          )}
          <TreeGrid
            layout={model.layout}
            view={view}
            selected={model.selected}
            onSelect={model.setSelected}
            onOpen={model.setOpen}
            onSort={model.sortBy}
            onTagKey={tagFocus.focusTags}
            emptyMessage={
              root.total !== 0
                ? undefined
                : filtered
                  ? 'Nothing matches the search or tag filter.'
                  : 'The checkpoints folder is empty.'
            }
          />
        </div>
        <EntryDetailsPane path={model.selected} tagInputRef={tagFocus.inputRef} onTagsDone={tagFocus.returnFocus} />
      </div>
    </div>
  );
}
