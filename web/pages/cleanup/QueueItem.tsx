import { forwardRef, type ReactNode } from 'react';
import type { PlanItem } from '../../../shared/schemas/index.js';
import { useEntry } from '../../api/hooks.js';
import { RefusalNote } from '../../components/RefusalNote.js';
import dialog from '../../components/ModalDialog.module.css';
import { formatBytes, formatCount } from '../../format.js';
import { ItemContents } from './ItemContents.js';
import { categoryLabel, categorySlot, splitPath } from './plan-view.js';
import type { ItemStatus } from './use-approval-queue.js';
import styles from './QueueItem.module.css';

interface Props {
  item: PlanItem;
  status: ItemStatus;
  onRefresh: () => void;
}

/** One plan item as the queue shows it: everything needed to approve it, and what became of it. */
export const QueueItem = forwardRef<HTMLElement, Props>(function QueueItem({ item, status, onRefresh }, ref) {
  const { dir, name } = splitPath(item.path);
  // A deleted item has no entry to read any more; a gone one never will.
  const live = status.kind !== 'deleted' && status.kind !== 'gone';
  const entry = useEntry(live ? item.path : null);

  return (
    <section ref={ref} className={styles.item} aria-labelledby="queue-item-path" tabIndex={-1}>
      <p className={styles.eyebrow}>
        <span className={styles.swatch} style={{ background: `var(--cat-${categorySlot(item.category)})` }} aria-hidden="true" />
        {categoryLabel(item.category)} · {item.kind === 'dir' ? 'folder' : item.kind}
      </p>
      <h3 id="queue-item-path" className={styles.path}>
        <span className={styles.dir}>{dir}</span>
        {name}
      </h3>
      <Outcome status={status} onRefresh={onRefresh} />
      <dl className={styles.facts}>
        <dt>Size</dt>
        <dd>
          <strong>{formatBytes(item.bytes)}</strong> <span className={styles.muted}>({formatCount(item.bytes)} bytes)</span>
        </dd>
        <dt>On disk</dt>
        <dd>{formatBytes(item.diskBytes)}</dd>
        {item.kind === 'dir' && (
          <>
            <dt>Files</dt>
            <dd>{formatCount(item.files)}</dd>
          </>
        )}
        <dt>Reason</dt>
        <dd>{item.reason}</dd>
        {item.rule && (
          <>
            <dt>Rule</dt>
            <dd>{item.rule}</dd>
          </>
        )}
      </dl>
      {item.warnings.length > 0 && (
        <ul className={styles.warnings} aria-label="Warnings">
          {item.warnings.map((w) => (
            <li key={w}>
              <span aria-hidden="true">⚠ </span>
              {w}
            </li>
          ))}
        </ul>
      )}
      {live && <ItemContents item={item} entry={entry.data} />}
    </section>
  );
});

function Outcome({ status, onRefresh }: { status: ItemStatus; onRefresh: () => void }) {
  let text: ReactNode;
  switch (status.kind) {
    case 'pending':
      return null;
    case 'refused':
      return (
        <RefusalNote
          refusal={status.refusal}
          onRefresh={onRefresh}
          refreshKey={
            <kbd className={dialog.kbd} aria-hidden="true">
              r
            </kbd>
          }
        />
      );
    case 'busy':
      text = status.action === 'delete' ? 'Deleting…' : status.action === 'tag' ? 'Tagging historical…' : 'Refreshing…';
      break;
    case 'deleted':
      text = `Deleted: freed ${formatBytes(status.result.freedBytes)} (${formatBytes(status.result.freedDiskBytes)} on disk), ${formatCount(status.result.deletedFiles)} ${status.result.deletedFiles === 1 ? 'file' : 'files'}.`;
      break;
    case 'skipped':
      text = 'Skipped: left on disk. Press a to delete it after all.';
      break;
    case 'kept':
      text = 'Tagged historical: it is protected now and has left the plan.';
      break;
    case 'gone':
      text = status.why;
      break;
  }
  return (
    <p className={styles.outcome} data-kind={status.kind} role="status">
      {text}
    </p>
  );
}
