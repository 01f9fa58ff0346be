import { useStaleReferences } from '../../api/deletions.js';
import { formatCount } from '../../format.js';
import styles from './StaleReferences.module.css';

/** Project files naming checkpoint paths that no longer exist: scripts that will fail, configs that point at nothing. */
export function StaleReferences() {
  const stale = useStaleReferences();
  const items = stale.data ?? [];
  const files = new Set(items.map((r) => r.file)).size;

  return (
    <section className={styles.section} aria-labelledby="stale-title">
      <div className={styles.head}>
        <h2 id="stale-title" className={styles.title}>
          Files that mention deleted checkpoints
        </h2>
        {items.length > 0 && (
          <span className={styles.muted}>
            {formatCount(items.length)} {items.length === 1 ? 'line' : 'lines'} in {formatCount(files)} {files === 1 ? 'file' : 'files'}
          </span>
        )}
      </div>
      {stale.error ? (
        <p role="alert" className={styles.error}>
          Could not read them: {stale.error.message}
        </p>
      ) : !stale.data ? (
        <p className={styles.muted}>Loading…</p>
      ) : items.length === 0 ? (
        <p className={styles.muted}>No config or script in the project names a checkpoint that is not there.</p>
      ) : (
        <>
          <p className={styles.muted}>Edit these lines, or the runs that use them will look for files that are gone.</p>
          <table className={styles.table} aria-label="Files that mention deleted checkpoints">
            <thead>
              <tr>
                <th scope="col">Where</th>
                <th scope="col">Names</th>
                <th scope="col">Kind</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const where = `${r.file}${r.line > 0 ? `:${r.line}` : ''}`;
                return (
                  <tr key={`${where}:${r.key ?? ''}:${r.target}`} aria-label={where}>
                    <td>
                      <code className={styles.where}>{where}</code>
                      {r.key && <code className={styles.key}>{r.key}</code>}
                    </td>
                    <td>
                      <code className={styles.target}>{r.target}</code>
                    </td>
                    <td>
                      <span className={styles.kind} data-kind={r.protects ? 'config' : 'script'}>
                        {r.protects ? 'config: pins a missing model' : 'script: will fail when run'}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
