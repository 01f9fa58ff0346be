import type { Checkpoint } from '../../../shared/schemas/index.js';
import { checkpointName, FORMAT_LABEL, runLabel } from '../../api/checkpoint-details.js';
import { IntegrityBadge } from '../../components/IntegrityBadge.js';
import { LockIcon } from '../../components/LockIcon.js';
import { formatBytes, formatCount, formatMetric } from '../../format.js';
import type { ModelSortKey } from './models-view.js';
import styles from './ModelRow.module.css';

interface Props {
  id: string;
  rowIndex: number;
  checkpoint: Checkpoint;
  metrics: string[];
  sortKey: ModelSortKey;
  top: number;
  height: number;
  selected: boolean;
  onSelect: (path: string) => void;
  onOpen: () => void;
}

// The tags that change what a person does with a model come first; the pane lists them all.
const TAG_PRIORITY = ['unsafe-pickle', 'corrupt', 'truncated', 'writing', 'critical', 'historical', 'resume', 'best', 'final', 'referenced'];
const ROW_TAGS = 2;

function rank(tag: string): number {
  const i = TAG_PRIORITY.indexOf(tag);
  return i < 0 ? TAG_PRIORITY.length : i;
}

export function ModelRow({ id, rowIndex, checkpoint: c, metrics, sortKey, top, height, selected, onSelect, onOpen }: Props) {
  const tags = [...c.tags].sort((a, b) => rank(a) - rank(b));
  const shown = tags.slice(0, ROW_TAGS);
  const more = tags.length - shown.length;
  const name = checkpointName(c.path);
  return (
    <div
      role="row"
      id={id}
      aria-rowindex={rowIndex}
      aria-selected={selected}
      aria-label={c.path}
      className={styles.row}
      data-selected={selected || undefined}
      style={{ transform: `translateY(${top}px)`, height }}
      onClick={() => onSelect(c.path)}
      onDoubleClick={onOpen}
    >
      <div role="gridcell" className={styles.run} title={c.run}>
        <bdi>{runLabel(c.run)}</bdi>
      </div>
      <div role="gridcell" className={styles.text} title={c.path}>
        {c.protected && <LockIcon label="Protected" className={styles.lock} />}
        {name}
      </div>
      <div role="gridcell" className={styles.muted}>
        {FORMAT_LABEL[c.format] ?? c.format}
      </div>
      <div role="gridcell" className={styles.num}>
        {formatBytes(c.bytes)}
      </div>
      <div role="gridcell" className={styles.num} title={epochTitle(c)}>
        {c.epoch !== undefined ? formatMetric(c.epoch) : <span className={styles.none}>—</span>}
        {c.step !== undefined && <span className={styles.step}> / {formatCount(c.step)}</span>}
      </div>
      {metrics.map((m) => (
        <div key={m} role="gridcell" className={styles.num} data-sorted={sortKey === `metric:${m}` || undefined}>
          {c.metrics[m] !== undefined ? formatMetric(c.metrics[m]) : <span className={styles.none}>—</span>}
        </div>
      ))}
      <div role="gridcell" className={styles.tags} title={c.tags.join(', ')}>
        {shown.map((t) => (
          <span key={t} className={styles.chip} data-tag={t}>
            {t}
          </span>
        ))}
        {more > 0 && <span className={styles.more}>+{more}</span>}
      </div>
      <div role="gridcell">
        <IntegrityBadge status={c.integrity.status} detail={c.integrity.detail} />
      </div>
      <div role="gridcell" className={styles.num} data-zero={c.references.length === 0 || undefined}>
        {c.references.length}
      </div>
    </div>
  );
}

function epochTitle(c: Checkpoint): string | undefined {
  const parts = [c.epoch !== undefined && `epoch ${c.epoch}`, c.step !== undefined && `step ${formatCount(c.step)}`].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}
