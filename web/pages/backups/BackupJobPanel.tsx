import type { Job } from '../../../shared/schemas/index.js';
import { backupResultOf, isActive } from '../../api/backups.js';
import { useCancelJob } from '../../api/hooks.js';
import { JobProgress } from '../../components/JobProgress.js';
import { formatBytes } from '../../format.js';
import { etaText, formatDuration, plural } from './job-view.js';
import styles from './BackupJobPanel.module.css';

/** The backup being written (progress, speed, time left, Cancel), then what it wrote. */
export function BackupJobPanel({ job, onDismiss }: { job: Job; onDismiss: () => void }) {
  const cancel = useCancelJob();
  const active = isActive(job);
  const result = backupResultOf(job);
  const eta = etaText(job);

  return (
    <section className={styles.panel} aria-label="Backup job" data-state={job.state}>
      {/* Once finished, the outcome below says more than the job's last progress message. */}
      <JobProgress job={active ? job : { ...job, message: undefined }} onCancel={(id) => cancel.mutate(id)} cancelling={cancel.isPending} />
      {eta && <p className={styles.eta}>{eta}</p>}
      {cancel.error && <p className={styles.error}>Could not cancel: {cancel.error.message}</p>}
      {!active && (
        <div className={styles.outcome}>
          <p role="status">
            {job.state === 'done' && result ? (
              <>
                Wrote <code>{result.file}</code>: {plural(result.files.length, 'file')}, {formatBytes(result.bytes)} in{' '}
                {formatDuration(result.ms)}, read back and verified.
              </>
            ) : job.state === 'done' ? (
              'Backup written and verified.'
            ) : job.state === 'cancelled' ? (
              'Backup cancelled: the unfinished archive was removed.'
            ) : (
              'The backup failed; nothing was added to the backups folder.'
            )}
          </p>
          <button type="button" className={styles.dismiss} onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
      {result?.warnings && result.warnings.length > 0 && (
        <ul className={styles.warnings}>
          {result.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
