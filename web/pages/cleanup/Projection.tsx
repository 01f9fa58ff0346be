import type { Plan } from '../../../shared/schemas/index.js';
import { formatBytes, formatCount } from '../../format.js';
import { categoryLabel, categorySlot, formatShare, type CategoryGroup } from './plan-view.js';
import styles from './Projection.module.css';

interface Props {
  plan: Plan;
  groups: CategoryGroup[];
  files: number;
  /** True while a newer plan is on its way; the numbers shown are the previous ones. */
  updating: boolean;
}

/** Before → after for the chosen policy: the number the user came for, apparent and on disk. */
export function Projection({ plan, groups, files, updating }: Props) {
  const { before, after, totals } = plan;
  return (
    <section className={styles.projection} aria-label="Projection" aria-busy={updating}>
      <div className={styles.figures}>
        <dl className={styles.pair}>
          <div>
            <dt>Before</dt>
            <dd className={styles.big}>{formatBytes(before.bytes)}</dd>
          </div>
          <span className={styles.arrow} aria-hidden="true">
            →
          </span>
          <div>
            <dt>After</dt>
            <dd className={`${styles.big} ${styles.after}`}>{formatBytes(after.bytes)}</dd>
          </div>
        </dl>
        <dl className={styles.freed}>
          <div>
            <dt>Frees</dt>
            <dd className={`${styles.big} ${styles.gain}`}>{formatBytes(totals.bytes)}</dd>
            <dd className={styles.detail}>
              {formatShare(totals.bytes, before.bytes)} of the folder · {formatCount(totals.count)}{' '}
              {totals.count === 1 ? 'item' : 'items'}, {formatCount(files)} {files === 1 ? 'file' : 'files'}
            </dd>
          </div>
        </dl>
      </div>
      <Bar before={before.bytes} groups={groups} />
      <p className={styles.disk}>
        <span className={styles.diskLabel}>On disk</span> {formatBytes(before.diskBytes)} → {formatBytes(after.diskBytes)}, frees{' '}
        {formatBytes(totals.diskBytes)}
        {before.diskBytes < before.bytes / 2 && (
          <span className={styles.note}> · sparse or compressed files take less disk than their apparent size</span>
        )}
      </p>
      {updating && (
        <span className={styles.updating} role="status">
          Updating…
        </span>
      )}
    </section>
  );
}

/** One bar for the whole folder: a segment per category the plan deletes, the rest is what stays. */
function Bar({ before, groups }: { before: number; groups: CategoryGroup[] }) {
  if (!(before > 0)) return null;
  const stays = 1 - groups.reduce((n, g) => n + g.bytes, 0) / before;
  return (
    <div className={styles.bar} aria-hidden="true">
      {groups.map((g) => (
        <span
          key={g.category}
          className={styles.segment}
          style={{ flexGrow: g.bytes / before, background: `var(--cat-${categorySlot(g.category)})` }}
          title={`${categoryLabel(g.category)}: ${formatBytes(g.bytes)}`}
        />
      ))}
      {stays > 0 && <span className={styles.kept} style={{ flexGrow: stays }} title="Stays" />}
    </div>
  );
}
