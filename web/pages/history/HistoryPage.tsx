import { useJournal } from '../../api/deletions.js';
import { formatBytes, formatCount } from '../../format.js';
import { navigate } from '../../router.js';
import { SessionTable } from './SessionTable.js';
import { StaleReferences } from './StaleReferences.js';
import { sessionTotals } from './history-view.js';
import styles from './HistoryPage.module.css';

/** Every deletion ckptdash made, by cleanup session, and the project lines those deletions left pointing at nothing. */
export function HistoryPage() {
  const journal = useJournal();
  const sessions = journal.data?.sessions ?? [];
  const freed = sessions.reduce((n, s) => n + sessionTotals(s).freedBytes, 0);

  return (
    <div className={styles.page}>
      <div className={styles.top}>
        <h1 className={styles.title}>History</h1>
        {sessions.length > 0 && (
          <span className={styles.muted}>
            {formatCount(sessions.length)} cleanup {sessions.length === 1 ? 'session' : 'sessions'} · {formatBytes(freed)} freed in all
          </span>
        )}
      </div>
      <p className={styles.lede}>
        Every deletion is journaled before it starts and again when it ends, so nothing happens unrecorded, not even a
        deletion cut short by a crash. Deletions with less than an hour between them form one cleanup session.
      </p>
      {journal.error ? (
        <div role="alert" className={styles.error}>
          Could not read the journal: {journal.error.message}{' '}
          <button type="button" className={styles.retry} onClick={() => void journal.refetch()}>
            Try again
          </button>
        </div>
      ) : !journal.data ? (
        <p className={styles.muted} role="status">
          Loading the journal…
        </p>
      ) : sessions.length === 0 ? (
        <div className={styles.empty}>
          <p>Nothing has been deleted yet.</p>
          <p className={styles.muted}>
            Approve items on the{' '}
            <a
              href="/cleanup"
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                e.preventDefault();
                navigate('/cleanup');
              }}
            >
              Cleanup
            </a>{' '}
            page, or delete from a details pane; each deletion shows up here with what it freed.
          </p>
        </div>
      ) : (
        sessions.map((s) => <SessionTable key={s.id} session={s} />)
      )}
      <StaleReferences />
    </div>
  );
}
