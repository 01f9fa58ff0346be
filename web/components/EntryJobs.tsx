import { isActive, useLatestJob, useStartJob } from '../api/backups.js';
import { useSummary } from '../api/hooks.js';
import styles from './EntryJobs.module.css';

/**
 * "Back up" and "Verify" for the entry in a details pane: the backup and full-check jobs for this
 * selection (a file, a checkpoint, or everything under a folder). Progress is in the jobs tray;
 * the archive appears on the Backups page.
 */
export function EntryJobs({ path }: { path: string }) {
  const readOnly = useSummary().data?.readOnly ?? false;
  const backup = useStartJob('backup');
  const verify = useStartJob('verify');
  const latestBackup = useLatestJob('backup').data;
  const latestVerify = useLatestJob('verify').data;
  const backingUp = backup.isPending || isActive(latestBackup);
  const verifying = verify.isPending || isActive(latestVerify);
  const note = backup.error
    ? `Backup not started: ${backup.error.message}`
    : verify.error
      ? `Verify not started: ${verify.error.message}`
      : backup.data && backup.data.id === latestBackup?.id && latestBackup.state === 'done'
        ? 'Backed up: see Backups.'
        : null;
  return (
    <div className={styles.jobs}>
      <button
        type="button"
        disabled={readOnly || backingUp}
        title={readOnly ? 'The server runs read-only' : 'Write a .tar.gz of this selection to the backups folder'}
        onClick={() => backup.mutate({ paths: [path] })}
      >
        {backingUp ? 'Backing up…' : 'Back up'}
      </button>
      <button type="button" disabled={verifying} title="Check every CRC-32 of the models here" onClick={() => verify.mutate({ paths: [path] })}>
        {verifying ? 'Verifying…' : 'Verify'}
      </button>
      {note && (
        <span role="status" className={styles.note}>
          {note}
        </span>
      )}
    </div>
  );
}
