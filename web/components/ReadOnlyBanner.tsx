import styles from './ReadOnlyBanner.module.css';

export function ReadOnlyBanner({ reason }: { reason: string | undefined }) {
  return (
    <div className={styles.banner} role="status">
      <strong>Read-only.</strong>{' '}
      {(reason ?? 'The server was started with --read-only').replace(/\.?$/, '.')} Deleting, tagging, backup and restore are turned off.
    </div>
  );
}
