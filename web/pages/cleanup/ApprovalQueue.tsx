import { useEffect, useRef, type Ref } from 'react';
import type { PlanItem, Policy } from '../../../shared/schemas/index.js';
import { ModalDialog } from '../../components/ModalDialog.js';
import dialog from '../../components/ModalDialog.module.css';
import { formatBytes, formatCount } from '../../format.js';
import { navigate } from '../../router.js';
import type { RetentionOverrides } from './plan-view.js';
import { QueueItem } from './QueueItem.js';
import { canApprove, isOpen, needsRefresh, useApprovalQueue, type ApprovalQueueModel, type QueueTotals } from './use-approval-queue.js';
import styles from './ApprovalQueue.module.css';

interface Props {
  items: readonly PlanItem[];
  policy: Policy;
  overrides: RetentionOverrides;
  /** What is being reviewed: the whole plan or one category. */
  scope: string;
  onClose: () => void;
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/**
 * The queue's keys, on the document so they work wherever focus sits in the dialog (the page behind is inert).
 * A held-down key repeats: `a` and `h` act once per press, so holding `a` never deletes a run of items.
 */
function useQueueKeys(queue: ApprovalQueueModel) {
  const ref = useRef(queue);
  ref.current = queue;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const q = ref.current;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if ((key === 'a' || key === 'h' || key === 's' || key === 'r') && e.repeat) return e.preventDefault();
      if (key === 'a') void q.approve();
      else if (key === 's') q.skip();
      else if (key === 'h') void q.keepHistorical();
      else if (key === 'r' && q.current && needsRefresh(q.current)) void q.refresh();
      else if (key === 'ArrowLeft') q.move(-1);
      else if (key === 'ArrowRight') q.move(1);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

function Key({ children }: { children: string }) {
  return (
    <kbd className={dialog.kbd} aria-hidden="true">
      {children}
    </kbd>
  );
}

function freedLine(t: QueueTotals): string {
  const parts = [
    t.deletions === 0 && t.freedBytes === 0
      ? 'Nothing deleted yet'
      : `Freed ${formatBytes(t.freedBytes)} in ${formatCount(t.deletions)} ${t.deletions === 1 ? 'deletion' : 'deletions'} (${formatBytes(t.freedDiskBytes)} on disk)`,
  ];
  if (t.skipped) parts.push(`${formatCount(t.skipped)} skipped`);
  if (t.kept) parts.push(`${formatCount(t.kept)} kept as historical`);
  if (t.refused) parts.push(`${formatCount(t.refused)} refused`);
  return parts.join(' · ');
}

/**
 * The approval queue: one plan item at a time, with everything needed to decide, and the decision a key away
 * (a approve and delete, s skip, h tag historical, ← → move). Refusals stay on screen in words until the user moves.
 */
export function ApprovalQueue({ items, policy, overrides, scope, onClose }: Props) {
  const q = useApprovalQueue(items, policy, overrides);
  useQueueKeys(q);
  const itemRef = useRef<HTMLElement>(null);
  const summaryRef = useRef<HTMLElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const reviewed = q.items.length - q.totals.left;
  const canAct = !q.busy && !q.finished && !!q.current && isOpen(q.current);

  useEffect(() => {
    bodyRef.current?.scrollTo({ top: 0 });
  }, [q.cursor, q.finished]);

  useEffect(() => {
    // A button that just became disabled drops the keyboard on the body: bring it back into the dialog.
    const active = document.activeElement;
    if (!active || active === document.body || (active instanceof HTMLButtonElement && active.disabled)) {
      (q.finished ? summaryRef.current : itemRef.current)?.focus({ preventScroll: true });
    }
  });

  return (
    <ModalDialog labelledBy="queue-title" describedBy="queue-keys" onClose={onClose} initialFocus={itemRef} className={styles.queue}>
      <header className={styles.head}>
        <div className={styles.titles}>
          <h2 id="queue-title" className={styles.title}>
            Review and delete
          </h2>
          <p className={styles.scope}>{scope}</p>
        </div>
        <p className={styles.position}>
          {q.finished ? 'Every item decided' : `Item ${formatCount(q.cursor + 1)} of ${formatCount(q.items.length)}`}
        </p>
        <button type="button" className={dialog.button} onClick={onClose} aria-keyshortcuts="Escape">
          Close <Key>Esc</Key>
        </button>
      </header>
      <div className={styles.meter} aria-hidden="true">
        <span style={{ width: `${q.items.length ? (reviewed / q.items.length) * 100 : 100}%` }} />
      </div>
      <p className={styles.freed} role="status" aria-label="Freed so far">
        {freedLine(q.totals)}
      </p>
      <div ref={bodyRef} className={styles.body}>
        {q.finished ? (
          <Summary ref={summaryRef} queue={q} onClose={onClose} />
        ) : (
          q.item && q.current && <QueueItem key={q.cursor} ref={itemRef} item={q.item} status={q.current} onRefresh={() => void q.refresh()} />
        )}
      </div>
      <p id="queue-keys" className="visually-hidden">
        Keys: a approves and deletes the item, s skips it, h tags it historical, left and right arrows move, Escape closes.
      </p>
      <footer className={styles.actions}>
        <button type="button" className={dialog.button} onClick={() => q.move(-1)} disabled={q.busy || (q.cursor === 0 && !q.finished)} aria-keyshortcuts="ArrowLeft">
          <Key>←</Key> Previous
        </button>
        <span className={styles.spacer} />
        <button type="button" className={dialog.button} onClick={q.skip} disabled={!canAct} aria-keyshortcuts="S">
          Skip <Key>s</Key>
        </button>
        <button type="button" className={dialog.button} onClick={() => void q.keepHistorical()} disabled={!canAct} aria-keyshortcuts="H">
          Keep as historical <Key>h</Key>
        </button>
        <button
          type="button"
          className={dialog.danger}
          onClick={() => void q.approve()}
          disabled={!canAct || !canApprove(q.current!)}
          title={q.current && needsRefresh(q.current) ? 'It changed: refresh (r) and look at it again first' : undefined}
          aria-keyshortcuts="A"
        >
          {q.current?.kind === 'busy' && q.current.action === 'delete' ? 'Deleting…' : 'Approve and delete'} <Key>a</Key>
        </button>
        <button
          type="button"
          className={dialog.button}
          onClick={() => q.move(1)}
          disabled={q.busy || q.finished || q.cursor >= q.items.length - 1}
          aria-keyshortcuts="ArrowRight"
        >
          Next <Key>→</Key>
        </button>
      </footer>
    </ModalDialog>
  );
}

function Summary({ queue, onClose, ref }: { queue: ApprovalQueueModel; onClose: () => void; ref: Ref<HTMLElement> }) {
  const t = queue.totals;
  const refused = queue.items.flatMap((it, i) => {
    const s = queue.status[i];
    return s.kind === 'refused' ? [{ path: it.path, message: s.refusal.message }] : [];
  });
  return (
    <section ref={ref} className={styles.summary} aria-labelledby="queue-summary-title" tabIndex={-1}>
      <h3 id="queue-summary-title" className={styles.summaryTitle}>
        Every item has a decision
      </h3>
      <p>
        {t.deletions > 0
          ? `Deleted ${formatCount(t.deletions)} ${t.deletions === 1 ? 'item' : 'items'}, freeing ${formatBytes(t.freedBytes)} (${formatBytes(t.freedDiskBytes)} on disk).`
          : 'Nothing was deleted.'}{' '}
        {t.skipped > 0 && `${formatCount(t.skipped)} skipped. `}
        {t.kept > 0 && `${formatCount(t.kept)} tagged historical. `}
      </p>
      {refused.length > 0 && (
        <>
          <p>Refused by the server, still on disk:</p>
          <ul className={styles.refused} aria-label="Refused">
            {refused.map((r) => (
              <li key={r.path}>
                <code>{r.path}</code>: {r.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <p className={dialog.muted}>Press ← to look back at the last item, or see every deletion on the History page.</p>
      <div className={styles.summaryActions}>
        <button
          type="button"
          className={dialog.button}
          onClick={() => {
            onClose();
            navigate('/history');
          }}
        >
          Open History
        </button>
        <button type="button" className={dialog.primary} onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
