import { forwardRef } from 'react';
import type { Summary } from '../../../shared/schemas/index.js';
import { SearchBox } from '../../components/SearchBox.js';
import { formatCount } from '../../format.js';
import styles from './TreeToolbar.module.css';

interface Props {
  search: string;
  onSearch: (value: string) => void;
  tag: string;
  onTag: (tag: string) => void;
  tags: Summary['tags'];
  onCollapseAll: () => void;
  status: string;
}

export const TreeToolbar = forwardRef<HTMLInputElement, Props>(function TreeToolbar(
  { search, onSearch, tag, onTag, tags, onCollapseAll, status },
  searchRef,
) {
  // The chosen tag stays offered after its last entry loses it, or the select would show a filter that is not applied.
  const tagNames = [...new Set([...Object.keys(tags), ...(tag ? [tag] : [])])].sort();
  return (
    <div className={styles.toolbar}>
      <SearchBox ref={searchRef} className={styles.search} label="Search by name" value={search} onChange={onSearch} />
      {tagNames.length > 0 && (
        <label className={styles.field}>
          <span>Tag</span>
          <select value={tag} onChange={(e) => onTag(e.target.value)} aria-label="Filter by tag">
            <option value="">All entries</option>
            {tagNames.map((name) => (
              <option key={name} value={name}>
                {name} ({formatCount(tags[name]?.count ?? 0)})
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" className={styles.button} onClick={onCollapseAll}>
        Collapse all
      </button>
      <span className={styles.status} role="status">
        {status}
      </span>
    </div>
  );
});
