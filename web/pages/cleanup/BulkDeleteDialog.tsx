import { useEffect, useId, useRef, useState } from 'react';
import type { PlanItem, Policy } from '../../../shared/schemas/index.js';
import { bulkResultOf, isFinished, useJob, useStartBulkDelete, type BulkResult } from '../../api/deletions.js';
import { useCancelJob } from '../../api/hooks.js';
import { JobProgress } from '../../components/JobProgress.js';
import { ModalDialog } from '../../components/ModalDialog.js';
import dialog from '../../components/ModalDialog.module.css';
import { formatBytes, formatCount } from '../../format.js';
import { categoryLabel } from './plan-view.js';
import styles from './BulkDeleteDialog.module.css';

interface Props {
  category: string;
  /** The category's items as the page showed them; this exact list, with these etags, is what gets deleted. */
  items: readonly PlanItem[];
  policy: Policy;
  onClose: () => void;
}

/**
 * Approving a whole category: every item listed first (the product's rule: a category only after its full list is
 * shown), then one job deletes them through the same checks as one-by-one deletion, with progress and cancel, and
 * ends with what was deleted, skipped and refused.
 */
export function BulkDeleteDialog({ category, items: shown, policy, onClose }: Props) {
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  // Frozen when the dialog opens: a plan refetched behind it must not change what the user is confirming.
  const [items] = useState(() => [...shown]);
  const start = useStartBulkDelete();
  const cancel = useCancelJob();
  const job = useJob(start.data?.id);
  const current = job.data ?? start.data;
  const result = isFinished(current) ? bulkResultOf(current) : undefined;
  const label = categoryLabel(category).toLowerCase();
  const bytes = items.reduce((n, it) => n + it.bytes, 0);
  const diskBytes = items.reduce((n, it) => n + it.diskBytes, 0);
  const files = items.reduce((n, it) => n + it.files, 0);
  const warned = items.filter((it) => it.warnings.length > 0).length;
  const started = start.data?.id;
  useEffect(() => {
    // The confirm button is gone once the job starts: the keyboard moves to Close.
    if (started) cancelRef.current?.focus({ preventScroll: true });
  }, [started]);

  return (
    <ModalDialog labelledBy={`${id}-title`} onClose={onClose} initialFocus={cancelRef} className={styles.bulk}>
      <div className={`${dialog.body} ${styles.body}`}>
        <h2 id={`${id}-title`} className={dialog.title}>
          {!current
            ? `Delete all ${formatCount(items.length)} ${label}?`
            : isFinished(current)
              ? `Deleting ${label}: ${current.state === 'done' ? 'done' : current.state}`
              : `Deleting ${formatCount(items.length)} ${label}…`}
        </h2>
        <p className={styles.total}>
          {formatCount(items.length)} {items.length === 1 ? 'item' : 'items'} · <strong>{formatBytes(bytes)}</strong> ·{' '}
          {formatBytes(diskBytes)} on disk · {formatCount(files)} {files === 1 ? 'file' : 'files'}
          {warned > 0 && <span className={styles.warned}> · ⚠ {formatCount(warned)} with warnings</span>}
        </p>
        {!start.data && (
          <ul className={styles.list} aria-label="Items to delete" tabIndex={0}>
            {items.map((it) => (
              <li key={it.path} className={styles.row}>
                <code className={styles.path}>{it.path}</code>
                <span className={styles.size}>{formatBytes(it.bytes)}</span>
                {it.warnings.map((w) => (
                  <span key={w} className={styles.warning}>
                    ⚠ {w}
                  </span>
                ))}
              </li>
            ))}
          </ul>
        )}
        {!start.data && (
          <p className={dialog.muted}>
            There is no trash. The server checks every item again as it comes to it and refuses what became protected,
            changed since this list was made, or is being written; the rest are deleted.
          </p>
        )}
        {start.error && (
          <p role="alert" className={styles.error}>
            Could not start: {start.error.message}
          </p>
        )}
        {current && (
          <JobProgress job={current} onCancel={(jobId) => cancel.mutate(jobId)} cancelling={cancel.isPending} />
        )}
        {current && !isFinished(current) && (
          <p className={dialog.muted}>Closing this window does not stop the deletion; the jobs panel keeps showing it.</p>
        )}
        {result && <BulkSummary result={result} />}
      </div>
      <div className={dialog.actions}>
        {start.data ? (
          <button ref={cancelRef} type="button" className={dialog.primary} onClick={onClose}>
            Close
          </button>
        ) : (
          <>
            <button ref={cancelRef} type="button" className={dialog.button} onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className={dialog.danger}
              disabled={start.isPending}
              onClick={() => start.mutate({ items: items.map((it) => ({ path: it.path, etag: it.etag })), policy })}
            >
              {start.isPending ? 'Starting…' : `Delete ${formatCount(items.length)} ${items.length === 1 ? 'item' : 'items'}`}
            </button>
          </>
        )}
      </div>
    </ModalDialog>
  );
}

function BulkSummary({ result }: { result: BulkResult }) {
  return (
    <section className={styles.summary} aria-label="Deletion summary" role="status">
      <p>
        <strong>
          Deleted {formatCount(result.deleted.length)} {result.deleted.length === 1 ? 'item' : 'items'}
        </strong>
        , freeing {formatBytes(result.freedBytes)} ({formatBytes(result.freedDiskBytes)} on disk).
      </p>
      {result.skipped.length > 0 && (
        <p>
          Skipped {formatCount(result.skipped.length)}: the job was cancelled before it reached{' '}
          {result.skipped.length === 1 ? 'it' : 'them'}; they are still on disk.
        </p>
      )}
      {result.refused.length > 0 ? (
        <>
          <p>Refused {formatCount(result.refused.length)}, still on disk:</p>
          <ul className={styles.refused} aria-label="Refused">
            {result.refused.map((r) => (
              <li key={r.path}>
                <code>{r.path}</code>: {r.message}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>Nothing was refused.</p>
      )}
    </section>
  );
}
