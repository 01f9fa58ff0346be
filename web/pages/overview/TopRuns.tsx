import { useRunTotals } from '../../api/hooks.js';
import { formatBytes, formatCount, formatPercent } from '../../format.js';
import styles from './Breakdown.module.css';

const TOP_RUNS = 10;

/** The runs whose checkpoints weigh most: where a cleanup pays off first. Summed by the server. */
export function TopRuns({ reading }: { reading: boolean }) {
  const { data, isError } = useRunTotals(TOP_RUNS, reading);
  const rows = data?.items ?? [];
  const largest = rows[0]?.bytes ?? 0;
  return (
    <section className={styles.panel} aria-labelledby="runs-title">
      <h2 id="runs-title" className={styles.title}>
        Top runs by checkpoint size
      </h2>
      {isError ? (
        <p className={styles.muted}>Checkpoints unavailable.</p>
      ) : !data ? (
        <p className={styles.muted}>Reading checkpoints…</p>
      ) : rows.length === 0 ? (
        <p className={styles.muted}>No checkpoints found{reading ? ' yet' : ''}.</p>
      ) : (
        <ol className={styles.bars} aria-label="Top runs">
          {rows.map((r) => (
            <li key={r.run} className={styles.row}>
              <span className={styles.label}>
                <span className={styles.name} title={r.run || 'checkpoints at the root'}>
                  {r.run || '(root)'}
                </span>
                <span className={styles.value}>
                  {formatBytes(r.bytes)}
                  <span className={styles.detail}> · {formatCount(r.count)} ckpt</span>
                </span>
              </span>
              {/* Bars scale to the largest run so the ranking reads at a glance. */}
              <span className={styles.track} aria-hidden="true" title={formatPercent(r.bytes, largest)}>
                <span className={styles.fill} style={{ width: `${largest > 0 ? (r.bytes / largest) * 100 : 0}%` }} />
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
