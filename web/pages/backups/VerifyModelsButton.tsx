import { useQueryClient } from '@tanstack/react-query';
import { isActive, useJobEnd, useLatestJob, useStartJob, verdictsOf } from '../../api/backups.js';
import { keys } from '../../api/keys.js';
import { formatCount } from '../../format.js';
import { plural, verifySummary } from './job-view.js';
import styles from './VerifyModelsButton.module.css';

/**
 * "Verify all models": the full check (every zip entry's CRC-32) as a job. Its progress and Cancel are in the jobs
 * tray; the verdict stays beside the button. Lives with the backup pages because it shares their job plumbing.
 */
export function VerifyModelsButton() {
  const qc = useQueryClient();
  const start = useStartJob('verify');
  // A check started elsewhere (another tab, before a reload) still holds the button; its verdict is shown only here.
  const latest = useLatestJob('verify').data;
  const job = latest && (isActive(latest) || latest.id === start.data?.id) ? latest : start.data;
  const running = start.isPending || isActive(job);
  // Integrity is part of each model row; the server's verdicts are read again rather than patched in here.
  useJobEnd(job, () => void qc.invalidateQueries({ queryKey: keys.checkpoints }));

  const verdicts = job && !isActive(job) ? verdictsOf(job) : undefined;
  const summary = verdicts && verifySummary(verdicts);
  let text: string | null = null;
  if (start.error) text = `Could not start: ${start.error.message}`;
  else if (job?.state === 'failed') text = `Verification failed: ${job.error?.message ?? 'unknown error'}`;
  else if (job?.state === 'cancelled') text = 'Verification cancelled.';
  else if (summary) {
    const parts = [`${plural(summary.ok, 'model')} ${summary.ok === 1 ? 'passes' : 'pass'}`];
    if (summary.failed.length > 0) parts.push(`${formatCount(summary.failed.length)} failed`);
    if (summary.unchecked > 0) parts.push(`${formatCount(summary.unchecked)} not checked (being written or changed)`);
    text = `Full check: ${parts.join(', ')}.`;
  } else if (job?.state === 'done') text = 'Full check done.';
  const bad = !!start.error || job?.state === 'failed' || (summary?.failed.length ?? 0) > 0;

  return (
    <span className={styles.verify}>
      <button type="button" className={styles.button} disabled={running} onClick={() => start.mutate({})}>
        {running ? 'Verifying…' : 'Verify all models'}
      </button>
      <span
        role="status"
        className={bad ? styles.bad : styles.note}
        title={summary?.failed.map((f) => `${f.path}: ${f.status}${f.detail ? ` (${f.detail})` : ''}`).join('\n') || undefined}
      >
        {text}
      </span>
    </span>
  );
}
