import styles from './ReadOnlyBanner.module.css';

/** ckptdash.config.json is malformed: say where, and that the last good settings still apply. */
export function ConfigErrorBanner({ error }: { error: string }) {
  return (
    <div className={styles.banner} role="alert">
      <strong>ckptdash.config.json has an error.</strong> {error}. The last good settings stay in force until it is fixed.
    </div>
  );
}

/** The checkpoints folder was deleted, moved or replaced while the server ran: what the pages show is no longer on disk. */
export function RootErrorBanner({ error }: { error: string }) {
  return (
    <div className={styles.banner} role="alert">
      <strong>The checkpoints folder changed under the server.</strong> {error.replace(/\.?$/, '.')} Until then, nothing is deleted.
    </div>
  );
}
