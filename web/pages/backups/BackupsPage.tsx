import { useState } from 'react';
import { isActive, useBackups, useInvalidateBackups, useJobEnd, useLatestJob, useStartJob, type BackupFile, type BackupItem } from '../../api/backups.js';
import { useSummary } from '../../api/hooks.js';
import { BackupCard } from './BackupCard.js';
import { BackupJobPanel } from './BackupJobPanel.js';
import { RestoreDialog } from './RestoreDialog.js';
import styles from './BackupsPage.module.css';

/** Verified `.tar.gz` backups of the protected models in `<project>/backups/`: make one, check one, restore from one. */
export function BackupsPage() {
  const { data: summary } = useSummary();
  const backups = useBackups();
  const start = useStartJob('backup');
  const latest = useLatestJob('backup').data;
  const invalidate = useInvalidateBackups();
  const [mountedAt] = useState(() => Date.now());
  const [dismissed, setDismissed] = useState<string>();
  const [restore, setRestore] = useState<{ item: BackupItem; files?: BackupFile[] } | null>(null);
  useJobEnd(latest, invalidate);

  const readOnly = summary?.readOnly ?? false;
  const blocked = readOnly ? 'The server runs read-only: backups and restores are off.' : null;
  // A running backup is shown wherever it was started; a finished one only if it ended while this page was open.
  const shownJob =
    latest && latest.id !== dismissed && (isActive(latest) || (latest.finishedAt ?? 0) >= mountedAt) ? latest : undefined;
  const folder = summary ? `${summary.project.replace(/\/+$/, '')}/backups/` : '<project>/backups/';

  return (
    <div className={styles.page}>
      <div className={styles.top}>
        <h1 className={styles.title}>Backups</h1>
        <button
          type="button"
          className={styles.primary}
          disabled={blocked !== null || start.isPending || isActive(latest)}
          title={blocked ?? undefined}
          aria-describedby="backups-lede"
          onClick={() => start.mutate({}, { onSuccess: () => setDismissed(undefined) })}
        >
          {isActive(latest) ? 'Backing up…' : 'Back up protected models'}
        </button>
      </div>
      <p id="backups-lede" className={styles.lede}>
        Copies every model that is protected itself (needed by a config, tagged critical or historical, or a run&rsquo;s
        resume point) into <code>{folder}</code> as one <code>.tar.gz</code> with a <code>MANIFEST.json</code> of
        original paths, sizes and sha256. The archive is read back and checked before it gets its final name.
      </p>
      {start.error && (
        <p role="alert" className={styles.error}>
          Could not start the backup: {start.error.message}
        </p>
      )}
      {shownJob && <BackupJobPanel job={shownJob} onDismiss={() => setDismissed(shownJob.id)} />}
      <BackupList
        items={backups.data}
        error={backups.error}
        onRetry={() => void backups.refetch()}
        folder={folder}
        restoreBlocked={blocked}
        onRestore={(item, files) => setRestore({ item, files })}
      />
      {restore && <RestoreDialog backup={restore.item} files={restore.files} onClose={() => setRestore(null)} />}
    </div>
  );
}

interface ListProps {
  items: BackupItem[] | undefined;
  error: Error | null;
  onRetry: () => void;
  folder: string;
  restoreBlocked: string | null;
  onRestore: (item: BackupItem, files?: BackupFile[]) => void;
}

function BackupList({ items, error, onRetry, folder, restoreBlocked, onRestore }: ListProps) {
  if (error && !items) {
    return (
      <div role="alert" className={styles.error}>
        Could not list the backups: {error.message}{' '}
        <button type="button" className={styles.secondary} onClick={onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (!items) {
    return (
      <p role="status" className={styles.muted}>
        Reading the backups folder…
      </p>
    );
  }
  if (items.length === 0) {
    return (
      <section className={styles.empty} aria-labelledby="backups-empty">
        <h2 id="backups-empty">No backups yet</h2>
        <p>
          Backups go to <code>{folder}</code>, next to the checkpoints folder and never inside it, named{' '}
          <code>checkpoints_backup_YYYYMMDD.tar.gz</code>. Each one can be verified again later and restored one file at
          a time or whole.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="backups-list">
      <h2 id="backups-list" className="visually-hidden">
        Backups in {folder}
      </h2>
      <ul className={styles.items}>
        {items.map((item) => (
          <BackupCard key={item.name} item={item} restoreBlocked={restoreBlocked} onRestore={onRestore} />
        ))}
      </ul>
    </section>
  );
}
