import { useQueryClient } from '@tanstack/react-query';
import { isActive, useJobEnd, useLatestJob, useStartJob } from '../../api/backups.js';
import { formatBytes, formatCount } from '../../format.js';
import styles from '../backups/VerifyModelsButton.module.css';

interface DuplicatesSummary {
  groups: number;
  files: number;
  wastedBytes: number;
}

/** "Find duplicates": same size, then a partial and a full hash, as a job; each duplicate then lists its twins. */
export function FindDuplicatesButton() {
  const qc = useQueryClient();
  const start = useStartJob('duplicates');
  const latest = useLatestJob('duplicates').data;
  const job = latest && (isActive(latest) || latest.id === start.data?.id) ? latest : start.data;
  const running = start.isPending || isActive(job);
  // The `duplicate` tag is on rows, entries and totals: read them again once the job is done.
  useJobEnd(job, () => void qc.invalidateQueries());

  const r = job?.state === 'done' ? (job.result as DuplicatesSummary | undefined) : undefined;
  let text: string | null = null;
  if (start.error) text = `Could not start: ${start.error.message}`;
  else if (job?.state === 'failed') text = `Failed: ${job.error?.message ?? 'unknown error'}`;
  else if (r) {
    text =
      r.groups === 0
        ? 'No duplicate model files.'
        : `${formatCount(r.files)} files in ${formatCount(r.groups)} groups of identical copies; ${formatBytes(r.wastedBytes)} held twice.`;
  }
  return (
    <span className={styles.verify}>
      <button type="button" className={styles.button} disabled={running} onClick={() => start.mutate({})}>
        {running ? 'Looking for duplicates…' : 'Find duplicates'}
      </button>
      <span role="status" className={styles.note}>
        {text}
      </span>
    </span>
  );
}
