import { useState } from 'react';
import { formatBytes, formatCount } from '../../format.js';
import { categoryLabel } from '../cleanup/plan-view.js';
import { ShowMore } from '../cleanup/ShowMore.js';
import { formatSpan, formatWhen, RESULT_LABEL, sessionTotals, type JournalSession } from './history-view.js';
import styles from './SessionTable.module.css';

/** Rows per step: a category approved at once can put a thousand deletions in one session. */
const PAGE = 100;

/** One cleanup session: its span and totals as the heading, then every deletion in it, newest first. */
export function SessionTable({ session }: { session: JournalSession }) {
  const [shown, setShown] = useState(PAGE);
  const t = sessionTotals(session);
  const span = formatSpan(session.startedAt, session.endedAt);
  const headingId = `session-${session.id}`;
  const others = Object.entries(t.other).map(([result, n]) => `${formatCount(n)} ${RESULT_LABEL[result as keyof typeof RESULT_LABEL]}`);

  return (
    <section className={styles.session} aria-labelledby={headingId}>
      <div className={styles.head}>
        <h2 id={headingId} className={styles.heading}>
          Cleanup session · {span}
        </h2>
        <span className={styles.totals}>
          {formatCount(t.count)} {t.count === 1 ? 'deletion' : 'deletions'} · freed <strong>{formatBytes(t.freedBytes)}</strong> (
          {formatBytes(t.freedDiskBytes)} on disk) · {formatCount(t.files)} {t.files === 1 ? 'file' : 'files'}
          {others.length > 0 && <span className={styles.others}> · {others.join(' · ')}</span>}
        </span>
      </div>
      <table className={styles.table} aria-label={`Deletions of the session ${span}`}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col" className={styles.num}>
              Freed
            </th>
            <th scope="col">Policy</th>
            <th scope="col">Category</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {session.entries.slice(0, shown).map((e) => (
            <tr key={e.id} aria-label={e.path}>
              <td className={styles.when}>{formatWhen(e.t, session)}</td>
              <td className={styles.path}>
                <code>{e.path}</code>
                <span className={styles.sub}>
                  {formatCount(e.files)} {e.files === 1 ? 'file' : 'files'}, {formatBytes(e.bytes)} before
                </span>
              </td>
              <td className={styles.num}>
                {formatBytes(e.freedBytes)}
                <span className={styles.sub}>{formatBytes(e.freedDiskBytes)} on disk</span>
              </td>
              <td>{e.policy ?? <span className={styles.sub}>by hand</span>}</td>
              <td>{categoryLabel(e.category)}</td>
              <td>
                <span className={styles.result} data-result={e.result}>
                  {RESULT_LABEL[e.result]}
                </span>
                {e.detail && <span className={styles.detail}>{e.detail}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ShowMore shown={Math.min(shown, session.entries.length)} total={session.entries.length} page={PAGE} onShow={setShown} what="deletions" />
    </section>
  );
}
