import styles from './ReadOnlyBanner.module.css';

/** ckptdash.config.json is malformed: say where, and that the last good settings still apply. */
export function ConfigErrorBanner({ error }: { error: string }) {
  return (
    <div className={styles.banner} role="alert">
      <strong>ckptdash.config.json has an error.</strong> {error}. The last good settings stay in force until it is fixed.
    </div>
  );
}
