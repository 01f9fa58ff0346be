import { useId, useState } from 'react';
import { backupErrorText, isActive, useStartJob, type BackupFile, type BackupItem } from '../../api/backups.js';
import { useJob } from '../../api/deletions.js';
import { JobProgress } from '../../components/JobProgress.js';
import { formatBytes, formatDateTime } from '../../format.js';
import { plural, shortHash, verifyBackupOutcome } from './job-view.js';
import styles from './BackupCard.module.css';

interface Props {
  item: BackupItem;
  /** Restore writes into the checkpoints folder: off when the server runs read-only, with this reason. */
  restoreBlocked: string | null;
  /** `files` undefined: everything in the archive. */
  onRestore: (item: BackupItem, files?: BackupFile[]) => void;
}

/** One archive: what it holds, verify it again, restore one file or all of it. */
export function BackupCard({ item, restoreBlocked, onRestore }: Props) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const verify = useStartJob('verify-backup');
  const followed = useJob(verify.data?.id).data;
  const job = followed ?? verify.data;
  const error = backupErrorText(item.error);
  const outcome = job && !isActive(job) ? verifyBackupOutcome(job, item.files.length) : null;

  return (
    <li>
      <article className={styles.card} aria-labelledby={`${id}-name`} data-error={error ? true : undefined}>
        <div className={styles.head}>
          <div className={styles.ident}>
            <h2 id={`${id}-name`} className={styles.name}>
              {item.name}
            </h2>
            <p className={styles.meta}>
              <span>{formatDateTime(item.mtimeMs)}</span>
              <span>{formatBytes(item.bytes)}</span>
              {!error && <span>{plural(item.files.length, 'file')}</span>}
            </p>
          </div>
          <div className={styles.actions}>
            {!error && (
              <button
                type="button"
                className={styles.button}
                aria-expanded={open}
                aria-controls={`${id}-files`}
                onClick={() => setOpen((o) => !o)}
              >
                <span aria-hidden="true" className={styles.chevron} data-open={open || undefined}>
                  ▸
                </span>
                Contents
              </button>
            )}
            <button
              type="button"
              className={styles.button}
              disabled={verify.isPending || isActive(job)}
              onClick={() => verify.mutate({ name: item.name })}
            >
              {isActive(job) ? 'Verifying…' : 'Verify again'}
            </button>
            {!error && (
              <button
                type="button"
                className={styles.button}
                disabled={restoreBlocked !== null || item.files.length === 0}
                title={restoreBlocked ?? 'Write every file back to its original path, after a confirmation'}
                onClick={() => onRestore(item)}
              >
                Restore all…
              </button>
            )}
          </div>
        </div>
        {error && (
          <p className={styles.broken}>
            <strong>This archive cannot be read.</strong> {error}
          </p>
        )}
        {verify.error && (
          <p role="alert" className={styles.bad}>
            Could not start the verification: {verify.error.message}
          </p>
        )}
        {job && isActive(job) && <JobProgress job={job} />}
        {outcome && (
          <div role="status" className={outcome.ok ? styles.good : styles.bad}>
            <p>{outcome.text}</p>
            {outcome.problems.length > 0 && (
              <ul>
                {outcome.problems.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {open && !error && (
          <div id={`${id}-files`} className={styles.scroll}>
            <table className={styles.files}>
              <caption className="visually-hidden">Files in {item.name}</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Original path</th>
                  <th scope="col" className={styles.num}>
                    Size
                  </th>
                  <th scope="col">SHA-256</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {item.files.map((f) => (
                  <tr key={f.name}>
                    <th scope="row" className={styles.mono}>
                      {f.name}
                    </th>
                    <td className={styles.mono}>{f.path}</td>
                    <td className={styles.num}>{formatBytes(f.size)}</td>
                    <td className={styles.mono} title={f.sha256}>
                      {shortHash(f.sha256)}…
                    </td>
                    <td>
                      <button
                        type="button"
                        className={styles.small}
                        disabled={restoreBlocked !== null}
                        title={restoreBlocked ?? `Write ${f.name} back to ${f.path}, after a confirmation`}
                        aria-label={`Restore ${f.name}…`}
                        onClick={() => onRestore(item, [f])}
                      >
                        Restore…
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </article>
    </li>
  );
}
