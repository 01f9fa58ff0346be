import { formatCount } from '../../format.js';
import styles from './ShowMore.module.css';

interface Props {
  shown: number;
  total: number;
  page: number;
  onShow: (n: number) => void;
  /** What is listed, for the buttons' accessible names ("intermediate checkpoints"). */
  what: string;
}

/** Paging for a long list: the next page, or everything at once. */
export function ShowMore({ shown, total, page, onShow, what }: Props) {
  if (shown >= total) return null;
  const next = Math.min(page, total - shown);
  return (
    <div className={styles.more}>
      <span className={styles.count}>
        Showing {formatCount(shown)} of {formatCount(total)}
      </span>
      <button type="button" className={styles.button} onClick={() => onShow(shown + next)} aria-label={`Show ${formatCount(next)} more ${what}`}>
        Show {formatCount(next)} more
      </button>
      {total - shown > next && (
        <button type="button" className={styles.button} onClick={() => onShow(total)} aria-label={`Show all ${formatCount(total)} ${what}`}>
          Show all {formatCount(total)}
        </button>
      )}
    </div>
  );
}
