import type { ReactNode } from 'react';
import { refusalTitle, type Refusal } from '../api/deletions.js';
import { formatBytes, formatCount } from '../format.js';
import styles from './RefusalNote.module.css';

/** Paths of a PARTIAL removal listed by name before "and N more". */
const PATHS_SHOWN = 8;

interface Props {
  refusal: Refusal;
  /** Offered for CHANGED and WRITING: fetch the entry again so the user looks at what is there now. */
  onRefresh?: () => void;
  refreshing?: boolean;
  /** A shortcut hint for the refresh button (the queue's `r`). */
  refreshKey?: ReactNode;
}

/** Why the server did not delete: its own sentence, plus what each code means for the user's next step. */
export function RefusalNote({ refusal, onRefresh, refreshing = false, refreshKey }: Props) {
  const { code, message, protectedBy, removed } = refusal;
  return (
    <div role="alert" className={styles.note} data-code={code}>
      <p className={styles.title}>{refusalTitle(refusal)}</p>
      <p className={styles.message}>{message}</p>
      {code === 'PROTECTED' && protectedBy && protectedBy.length > 0 && (
        <ul className={styles.list} aria-label="Protected by">
          {protectedBy.map((p) => (
            <li key={p}>
              <code>{p}</code>
            </li>
          ))}
        </ul>
      )}
      {code === 'CHANGED' && (
        <p className={styles.hint}>
          Nothing was deleted. Refresh to see it as it is now, then decide again.{' '}
          {onRefresh && (
            <button type="button" className={styles.refresh} onClick={onRefresh} disabled={refreshing}>
              {refreshing ? 'Refreshing…' : 'Refresh'} {refreshKey}
            </button>
          )}
        </p>
      )}
      {code === 'WRITING' && (
        <p className={styles.hint}>
          Nothing was deleted. Refresh once the run has stopped writing it, then decide again.{' '}
          {onRefresh && (
            <button type="button" className={styles.refresh} onClick={onRefresh} disabled={refreshing}>
              {refreshing ? 'Refreshing…' : 'Refresh'} {refreshKey}
            </button>
          )}
        </p>
      )}
      {code === 'PARTIAL' && removed && (
        <div className={styles.hint}>
          Removed before it stopped: {formatCount(removed.files)} {removed.files === 1 ? 'file' : 'files'},{' '}
          {formatBytes(removed.bytes)} ({formatBytes(removed.diskBytes)} on disk). The rest is still there.
          {removed.paths.length > 0 && (
            <ul className={styles.list} aria-label="Removed">
              {removed.paths.slice(0, PATHS_SHOWN).map((p) => (
                <li key={p}>
                  <code>{p}</code>
                </li>
              ))}
              {removed.paths.length > PATHS_SHOWN && <li>and {formatCount(removed.paths.length - PATHS_SHOWN)} more</li>}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
