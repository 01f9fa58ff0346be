import type { MouseEvent } from 'react';
import { navigate } from '../../router.js';
import styles from './BackupLink.module.css';

/** The way to the Backups page from elsewhere (Cleanup): a backup before deleting is the careful order. */
export function BackupLink() {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate('/backups');
  };
  return (
    <a href="/backups" className={styles.link} onClick={onClick}>
      Back up protected models…
    </a>
  );
}
