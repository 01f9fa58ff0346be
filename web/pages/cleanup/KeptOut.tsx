import { useState } from 'react';
import type { PlanKept } from '../../../shared/schemas/index.js';
import { formatBytes, formatCount } from '../../format.js';
import { ShowMore } from './ShowMore.js';
import { categoryLabel, keptKind, splitPath, type KeptKind } from './plan-view.js';
import styles from './KeptOut.module.css';

const PAGE = 50;

const KIND_TEXT: Record<KeptKind, string> = {
  protected: 'protected',
  retention: 'kept by retention',
  writing: 'being written',
  other: 'kept by another rule',
};

/** What the policy's rules matched but will not delete, each with the rule that kept it. */
export function KeptOut({ kept }: { kept: readonly PlanKept[] }) {
  const [shown, setShown] = useState(PAGE);
  const bytes = kept.reduce((n, k) => n + k.bytes, 0);
  const kinds = new Map<KeptKind, number>();
  for (const k of kept) kinds.set(keptKind(k), (kinds.get(keptKind(k)) ?? 0) + 1);

  return (
    <section className={styles.section} aria-labelledby="kept-title">
      <div className={styles.head}>
        <h2 id="kept-title" className={styles.title}>
          Kept out
        </h2>
        {kept.length > 0 && (
          <span className={styles.meta}>
            {formatCount(kept.length)} {kept.length === 1 ? 'entry' : 'entries'} · {formatBytes(bytes)}
            {[...kinds].map(([kind, n]) => (
              <span key={kind} className={styles.kind} data-kind={kind}>
                {formatCount(n)} {KIND_TEXT[kind]}
              </span>
            ))}
          </span>
        )}
      </div>
      {kept.length === 0 ? (
        <p className={styles.empty}>
          Nothing this policy matched is held back: no protected entry, retained checkpoint or file being written is in its way.
        </p>
      ) : (
        <div className={styles.box}>
          <table className={styles.table} aria-label="Kept out">
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Category</th>
                <th scope="col">Kept by</th>
                <th scope="col" className={styles.num}>
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {kept.slice(0, shown).map((k) => {
                const { dir, name } = splitPath(k.path);
                return (
                  <tr key={k.path} aria-label={k.path}>
                    <td className={styles.path} title={k.path}>
                      <span className={styles.dir}>{dir}</span>
                      <span className={styles.name}>{name}</span>
                    </td>
                    <td className={styles.category}>{categoryLabel(k.category)}</td>
                    <td>
                      <span className={styles.rule} data-kind={keptKind(k)}>
                        {k.rule}
                      </span>
                    </td>
                    <td className={styles.num}>{formatBytes(k.bytes)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <ShowMore shown={Math.min(shown, kept.length)} total={kept.length} page={PAGE} onShow={setShown} what="kept entries" />
        </div>
      )}
    </section>
  );
}
