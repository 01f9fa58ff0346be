import { formatCount } from '../../format.js';
import { categoryLabel, type CategoryGroup } from './plan-view.js';
import styles from './CategoryActions.module.css';

/** What the page can do with a category, and why not when it cannot (read-only server, plan still updating). */
export interface CategoryHandlers {
  onReview: (group: CategoryGroup) => void;
  onDeleteAll: (group: CategoryGroup) => void;
  /** Set when nothing may start: the reason, shown as the buttons' title. */
  blocked: string | null;
}

/** A category's two ways onward: one item at a time, or all of it after seeing the whole list. */
export function CategoryActions({ group, handlers }: { group: CategoryGroup; handlers: CategoryHandlers }) {
  const what = categoryLabel(group.category).toLowerCase();
  const n = group.items.length;
  return (
    <span className={styles.actions}>
      <button
        type="button"
        className={styles.review}
        disabled={handlers.blocked !== null}
        title={handlers.blocked ?? `Approve or skip the ${what} one at a time`}
        aria-label={`Review the ${what} one by one`}
        onClick={() => handlers.onReview(group)}
      >
        Review…
      </button>
      <button
        type="button"
        className={styles.all}
        disabled={handlers.blocked !== null}
        title={handlers.blocked ?? `See the full list of ${what}, then delete them all`}
        aria-label={`Delete all ${formatCount(n)} ${what}…`}
        onClick={() => handlers.onDeleteAll(group)}
      >
        Delete all {formatCount(n)}…
      </button>
    </span>
  );
}
