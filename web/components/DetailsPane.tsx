import type { Reference } from '../../shared/schemas/index.js';
import styles from './DetailsPane.module.css';

/** The "Referenced by" list of project files that mention a path, as both details panes show it. */
export function ReferenceList({ references }: { references: Reference[] }) {
  return (
    <ul className={styles.refs}>
      {references.map((r) => (
        <li key={`${r.file}:${r.line}:${r.key ?? ''}`}>
          <code>
            {r.file}:{r.line}
          </code>
          {r.key && <span className={styles.muted}> {r.key}</span>}
          {r.protects && <span className={styles.pin}> pins</span>}
        </li>
      ))}
    </ul>
  );
}
