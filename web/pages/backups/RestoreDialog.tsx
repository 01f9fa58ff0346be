import { useId, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Job } from '../../../shared/schemas/index.js';
import { isActive, useJobEnd, useStartJob, type BackupFile, type BackupItem } from '../../api/backups.js';
import { ApiError } from '../../api/client.js';
import { useJob } from '../../api/deletions.js';
import { useCancelJob } from '../../api/hooks.js';
import { keys } from '../../api/keys.js';
import { JobProgress } from '../../components/JobProgress.js';
import { ModalDialog } from '../../components/ModalDialog.js';
import { formatBytes } from '../../format.js';
import { existingCount, plural, restoredCount } from './job-view.js';
import dialog from '../../components/ModalDialog.module.css';
import styles from './RestoreDialog.module.css';

interface Props {
  backup: BackupItem;
  /** Undefined: the whole archive. */
  files?: BackupFile[];
  onClose: () => void;
}

/** Targets listed in full up to here; a longer list says how many more. */
const LIST_MAX = 8;

/** An EXISTS refusal, from POST /api/jobs (which may name the paths) or from the job itself (only its message). */
interface Existing {
  message: string;
  paths?: string[];
  count?: number;
}

function existingOf(startError: Error | null, job: Job | undefined, targets: BackupFile[]): Existing | undefined {
  if (startError instanceof ApiError && startError.code === 'EXISTS') {
    const raw = startError.detail?.paths;
    const paths = Array.isArray(raw) ? raw.filter((p): p is string => typeof p === 'string') : undefined;
    return { message: startError.message, paths, count: paths?.length ?? existingCount(startError.message, targets) };
  }
  if (job?.state === 'failed' && job.error?.code === 'EXISTS') {
    return { message: job.error.message, count: existingCount(job.error.message, targets) };
  }
  return undefined;
}

function PathList({ paths }: { paths: string[] }) {
  return (
    <ul className={styles.targets}>
      {paths.slice(0, LIST_MAX).map((p) => (
        <li key={p}>
          <code>{p}</code>
        </li>
      ))}
      {paths.length > LIST_MAX && <li className={dialog.muted}>and {plural(paths.length - LIST_MAX, 'more file')}</li>}
    </ul>
  );
}

/**
 * "Restore …?", then the restore job's progress. The server never overwrites unasked: when a target exists it answers
 * EXISTS and a second, explicit question runs the restore again with `overwrite`. Cancel has the keyboard first.
 */
export function RestoreDialog({ backup, files, onClose }: Props) {
  const id = useId();
  const qc = useQueryClient();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const start = useStartJob('restore');
  const cancelJob = useCancelJob();
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId).data ?? (start.data?.id === jobId ? start.data : undefined);
  const targets = files ?? backup.files;
  const bytes = targets.reduce((sum, f) => sum + f.size, 0);
  const what = files?.length === 1 ? files[0].name : plural(targets.length, 'file');
  const exists = existingOf(start.error, job, targets);
  const otherError = start.error && !exists ? start.error : null;

  // The restored files arrive as tree events; the models list and totals are not patched by them.
  useJobEnd(job, () => {
    void qc.invalidateQueries({ queryKey: keys.checkpoints });
    void qc.invalidateQueries({ queryKey: keys.summary });
  });

  const run = (overwrite: boolean) =>
    start.mutate(
      { name: backup.name, ...(files ? { files: files.map((f) => f.name) } : {}), ...(overwrite ? { overwrite: true } : {}) },
      { onSuccess: (started) => setJobId(started.id) },
    );

  const title = exists
    ? exists.count === undefined
      ? 'Overwrite existing files?'
      : `Overwrite ${plural(exists.count, 'existing file')}?`
    : job?.state === 'done'
      ? `Restored ${what}`
      : `Restore ${what}?`;

  return (
    <ModalDialog labelledBy={`${id}-title`} describedBy={`${id}-what`} onClose={onClose} initialFocus={cancelRef}>
      <div className={dialog.body}>
        <h2 id={`${id}-title`} className={dialog.title}>
          {title}
        </h2>
        <div id={`${id}-what`} className={styles.what}>
          {exists ? (
            <>
              <p className={styles.caution}>{exists.message}</p>
              {exists.paths && exists.paths.length > 0 && <PathList paths={exists.paths} />}
              <p className={dialog.muted}>
                Overwriting replaces what is there now with the copy from <code>{backup.name}</code>. Nothing has been
                written yet.
              </p>
            </>
          ) : (
            <>
              <p className={dialog.muted}>
                From <code>{backup.name}</code> back to {targets.length === 1 ? 'its original path' : 'their original paths'}{' '}
                under the checkpoints folder ({formatBytes(bytes)}). Existing files are not overwritten without asking;
                links are never followed.
              </p>
              <PathList paths={targets.map((f) => f.path)} />
            </>
          )}
          {job && !exists && <JobProgress job={job} onCancel={(jid) => cancelJob.mutate(jid)} cancelling={cancelJob.isPending} />}
          {isActive(job) && <p className={dialog.muted}>Closing this keeps the restore running; the jobs tray follows it.</p>}
          {job?.state === 'done' && (
            <p role="status" className={styles.done}>
              Restored {plural(restoredCount(job) ?? targets.length, 'file')}.
            </p>
          )}
          {otherError && (
            <p role="alert" className={styles.warn}>
              Could not start the restore: {otherError.message}
            </p>
          )}
        </div>
      </div>
      <div className={dialog.actions}>
        <button ref={cancelRef} type="button" className={dialog.button} onClick={onClose}>
          {job && !exists ? 'Close' : 'Cancel'}
        </button>
        {exists ? (
          <button type="button" className={dialog.danger} disabled={start.isPending} onClick={() => run(true)}>
            {exists.count === undefined ? 'Overwrite' : `Overwrite ${plural(exists.count, 'file')}`}
          </button>
        ) : (
          !job && (
            <button type="button" className={dialog.primary} disabled={start.isPending} onClick={() => run(false)}>
              {start.isPending ? 'Starting…' : `Restore ${what}`}
            </button>
          )
        )}
      </div>
    </ModalDialog>
  );
}
