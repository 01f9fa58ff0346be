import type { ReactNode } from 'react';
import styles from './ComingSoonPage.module.css';

/** A page whose feature ships later: says what it will hold, so the navigation is not a dead end. */
export function ComingSoonPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className={styles.page} aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <p className={styles.badge}>Coming in a later version</p>
      <p className={styles.text}>{children}</p>
    </section>
  );
}
