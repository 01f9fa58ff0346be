import { useCancelJob, useJobs } from '../api/hooks.js';
import { JobProgress } from './JobProgress.js';
import styles from './JobsTray.module.css';

/** Appears while any job is queued or running. */
export function JobsTray() {
  const jobs = useJobs();
  const cancel = useCancelJob();
  const active = (jobs.data ?? []).filter((j) => j.state === 'queued' || j.state === 'running');
  if (active.length === 0) return null;

  return (
    <section className={styles.tray} aria-label="Running jobs">
      <h2 className={styles.heading}>
        {active.length === 1 ? '1 job running' : `${active.length} jobs running`}
      </h2>
      {active.map((job) => (
        <JobProgress
          key={job.id}
          job={job}
          onCancel={(id) => cancel.mutate(id)}
          cancelling={cancel.isPending && cancel.variables === job.id}
        />
      ))}
      {cancel.error && <p className={styles.error}>Could not cancel: {cancel.error.message}</p>}
    </section>
  );
}
