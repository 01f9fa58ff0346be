import type { Job } from '../../shared/schemas/index.js';
import { formatBytes, formatCount } from '../format.js';
import styles from './JobProgress.module.css';

interface Props {
  job: Job;
  onCancel?: (id: string) => void;
  cancelling?: boolean;
}

function amount(value: number, unit: string): string {
  return unit === 'bytes' ? formatBytes(value) : formatCount(value);
}

/** One long job: title, progress in its own unit, latest message, cancel. */
export function JobProgress({ job, onCancel, cancelling = false }: Props) {
  const active = job.state === 'queued' || job.state === 'running';
  const known = job.total > 0;
  const percent = known ? Math.min(100, (job.done / job.total) * 100) : 0;
  const counts = known
    ? `${amount(job.done, job.unit)} / ${amount(job.total, job.unit)}${job.unit === 'bytes' ? '' : ` ${job.unit}`}`
    : `${amount(job.done, job.unit)}${job.unit === 'bytes' ? '' : ` ${job.unit}`}`;

  return (
    <section className={styles.job} aria-label={job.title} data-state={job.state}>
      <div className={styles.head}>
        <span className={styles.title}>{job.title}</span>
        {active && onCancel && (
          <button type="button" className={styles.cancel} onClick={() => onCancel(job.id)} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      <div
        className={styles.track}
        role="progressbar"
        aria-label={`${job.title} progress`}
        aria-valuemin={0}
        aria-valuemax={known ? job.total : undefined}
        aria-valuenow={known ? job.done : undefined}
        aria-valuetext={counts}
      >
        <div className={known ? styles.fill : styles.indeterminate} style={known ? { width: `${percent}%` } : undefined} />
      </div>
      <div className={styles.foot}>
        <span>{job.state === 'queued' ? 'Waiting…' : counts}</span>
        {known && active && <span>{Math.floor(percent)}%</span>}
        {!active && <span className={styles.state}>{job.state}</span>}
      </div>
      {job.error ? (
        <p className={styles.error}>{job.error.message}</p>
      ) : (
        job.message && <p className={styles.message}>{job.message}</p>
      )}
    </section>
  );
}
