import type { Notice } from '../api/server-events.js';
import styles from './Notices.module.css';

export function Notices({ notices, onDismiss }: { notices: Notice[]; onDismiss: (id: number) => void }) {
  if (notices.length === 0) return null;
  return (
    <ul className={styles.list} aria-live="polite">
      {notices.map((n) => (
        <li key={n.id} className={styles.notice} data-level={n.level} role={n.level === 'error' ? 'alert' : undefined}>
          <span>{n.message}</span>
          <button type="button" className={styles.close} onClick={() => onDismiss(n.id)} aria-label="Dismiss">
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
