import { formatBytes, formatCount, formatPercent } from '../../format.js';
import { CategoryActions, type CategoryHandlers } from './CategoryActions.js';
import { categoryLabel, categorySlot, type CategoryGroup } from './plan-view.js';
import styles from './CategorySummary.module.css';

/** One card per category the plan deletes from: how many items, how much, and its share of what is freed. */
export function CategorySummary({
  groups,
  freed,
  onOpen,
  handlers,
}: {
  groups: CategoryGroup[];
  freed: number;
  onOpen: (category: string) => void;
  handlers: CategoryHandlers;
}) {
  if (groups.length === 0) return null;
  return (
    <ul className={styles.cards} aria-label="By category">
      {groups.map((g) => (
        <li key={g.category} className={styles.card} aria-label={categoryLabel(g.category)}>
          <span className={styles.swatch} style={{ background: `var(--cat-${categorySlot(g.category)})` }} aria-hidden="true" />
          <span className={styles.name}>{categoryLabel(g.category)}</span>
          <span className={styles.bytes}>{formatBytes(g.bytes)}</span>
          <span className={styles.detail}>
            {formatCount(g.items.length)} {g.items.length === 1 ? 'item' : 'items'} · {formatBytes(g.diskBytes)} on disk ·{' '}
            {formatPercent(g.bytes, freed)} of freed
          </span>
          {g.warned > 0 && (
            <span className={styles.warned}>
              <span aria-hidden="true">⚠ </span>
              {formatCount(g.warned)} with warnings
            </span>
          )}
          <button
            type="button"
            className={styles.open}
            aria-label={`Show the ${categoryLabel(g.category).toLowerCase()}`}
            onClick={() => onOpen(g.category)}
          >
            Show items
          </button>
          <CategoryActions group={g} handlers={handlers} />
        </li>
      ))}
    </ul>
  );
}
