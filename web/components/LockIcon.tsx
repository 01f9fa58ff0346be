import styles from './LockIcon.module.css';

/**
 * The padlock of a protected entry. With a label it is an image of its own (a row's marker); without one it only
 * decorates a word that already says "Protected".
 */
export function LockIcon({ label, className }: { label?: string; className?: string }) {
  return (
    <svg
      viewBox="0 0 16 16"
      className={className ? `${styles.lock} ${className}` : styles.lock}
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      {label && <title>{label}</title>}
      <path className={styles.shackle} d="M5 7.5V5.2a3 3 0 0 1 6 0v2.3" />
      <rect className={styles.body} x="2.75" y="7" width="10.5" height="7.5" rx="1.6" />
    </svg>
  );
}
