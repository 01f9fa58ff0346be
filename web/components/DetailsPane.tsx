import type { ReactNode } from 'react';
import type { Reference } from '../../shared/schemas/index.js';
import { LockIcon } from './LockIcon.js';
import styles from './DetailsPane.module.css';

/** The "Referenced by" list of project files that mention a path, as both details panes show it. */
export function ReferenceList({ references }: { references: Reference[] }) {
  return (
    <ul className={styles.refs} aria-label="References">
      {references.map((r) => (
        <li key={`${r.file}:${r.line}:${r.key ?? ''}`} className={styles.ref}>
          <code className={styles.where}>
            {r.file}
            {r.line > 0 && `:${r.line}`}
          </code>
          {r.key && (
            <code className={styles.key} title="Key path in the file">
              {r.key}
            </code>
          )}
          <span className={styles.badges}>
            {r.protects ? (
              <span className={styles.badge} data-kind="protects" title="A pin source: while it names this path, nothing deletes it">
                protects
              </span>
            ) : (
              <span className={styles.badge} data-kind="warns" title="A script or text file: deleting is allowed, with a warning">
                warns only
              </span>
            )}
            {r.missing && (
              <span className={styles.badge} data-kind="missing" title="The path this line names does not exist any more">
                missing
              </span>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Why an entry cannot be deleted: every reason the server gives, the file lines and paths set in code. */
export function ProtectionNote({ reasons }: { reasons: string[] }) {
  return (
    <section className={styles.protection} aria-label="Protection">
      <p className={styles.protectionTitle}>
        <LockIcon />
        <strong>Protected</strong>
        <span className={styles.protectionWhy}>no cleanup can delete it</span>
      </p>
      {reasons.length > 0 && (
        <ul className={styles.reasons} aria-label="Protected by">
          {reasons.map((reason) => (
            <li key={reason}>{formatReason(reason)}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

// The server's reasons read `configs/ensemble_best.json:7`, `tag historical`, `resume point of session20/run3`,
// `contains session10/…/final_model.pt`: the file or path part is set in code so it stands out from the words.
function formatReason(reason: string): ReactNode {
  if (/^\S+:\d+$/.test(reason)) return <code>{reason}</code>;
  const match = /^(tag|resume point of|contains) (.+)$/.exec(reason);
  if (!match) return reason;
  return (
    <>
      {match[1]} <code>{match[2]}</code>
    </>
  );
}
