import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { naturalCompare } from '../../../shared/natural-sort.js';
import type { Checkpoint, EntryDetails, PlanItem } from '../../../shared/schemas/index.js';
import { useCheckpoints } from '../../api/hooks.js';
import { ProtectionNote } from '../../components/DetailsPane.js';
import { formatBytes, formatCount, formatMetric } from '../../format.js';
import { largestFiles } from './largest-files.js';
import styles from './ItemContents.module.css';

const LARGEST = 5;
const CHECKPOINTS_SHOWN = 8;

/** Final and best models first: they are what someone may miss, while intermediates are many and alike. */
function keeperRank(c: Checkpoint): number {
  return c.tags.includes('final') ? 0 : c.tags.includes('best') ? 1 : 2;
}

/** Inside a path, relative to it, for rows listed under the folder's own heading. */
function inside(folder: string, path: string): string {
  return path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : path;
}

/** What deleting the item takes with it: its files, the largest ones, the models inside, and who mentions them. */
export function ItemContents({ item, entry }: { item: PlanItem; entry: EntryDetails | undefined }) {
  const checkpoints = useCheckpoints(false);
  const within = useMemo(
    () =>
      (checkpoints.data ?? [])
        .filter((c) => c.path === item.path || c.path.startsWith(`${item.path}/`))
        .sort((a, b) => keeperRank(a) - keeperRank(b) || b.bytes - a.bytes || naturalCompare(a.path, b.path)),
    [checkpoints.data, item.path],
  );
  const isDir = item.kind === 'dir';
  const references = [
    ...(entry?.references ?? []).map((r) => ({ ...r, target: item.path })),
    ...within.filter((c) => c.path !== item.path).flatMap((c) => c.references.map((r) => ({ ...r, target: c.path }))),
  ];

  return (
    <>
      {entry?.protected && <ProtectionNote reasons={entry.protectedBy} />}
      {isDir ? (
        <>
          <h4 className={styles.section}>What it contains</h4>
          <p className={styles.line}>
            {formatCount(entry?.files ?? item.files)} {(entry?.files ?? item.files) === 1 ? 'file' : 'files'}
            {entry?.dirs !== undefined && entry.dirs > 0 && `, ${formatCount(entry.dirs)} ${entry.dirs === 1 ? 'subfolder' : 'subfolders'}`}
          </p>
          <LargestFiles folder={item.path} etag={item.etag} />
          <CheckpointsInside folder={item.path} items={within} loading={checkpoints.isPending} />
        </>
      ) : (
        within[0] && <CheckpointFacts checkpoint={within[0]} />
      )}
      <h4 className={styles.section}>References ({references.length})</h4>
      {references.length === 0 ? (
        <p className={styles.muted}>No config or script in the project mentions {isDir ? 'anything inside it' : 'it'}.</p>
      ) : (
        <ul className={styles.list} aria-label="References">
          {references.map((r) => (
            <li key={`${r.target}:${r.file}:${r.line}:${r.key ?? ''}`} className={styles.row}>
              <code>
                {r.file}
                {r.line > 0 && `:${r.line}`}
              </code>
              {r.target !== item.path && <span className={styles.muted}>→ {inside(item.path, r.target)}</span>}
              <span className={styles.badge} data-kind={r.protects ? 'protects' : 'warns'}>
                {r.protects ? 'protects' : 'will point at nothing'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function LargestFiles({ folder, etag }: { folder: string; etag: string }) {
  // Keyed by etag: a folder that changed is searched again, an unchanged one is not.
  const query = useQuery({
    queryKey: ['largest-files', folder, etag],
    queryFn: ({ signal }) => largestFiles(folder, LARGEST, signal),
    staleTime: 60_000,
  });
  return (
    <>
      <h5 className={styles.sub}>{query.data?.partial ? 'Largest files found' : `Largest ${LARGEST} files`}</h5>
      {query.error ? (
        <p className={styles.muted}>Could not list them: {query.error.message}</p>
      ) : !query.data ? (
        <p className={styles.muted}>Looking…</p>
      ) : (
        <ol className={styles.list} aria-label="Largest files">
          {query.data.files.map((f) => (
            <li key={f.path} className={styles.row}>
              <code className={styles.path}>{inside(folder, f.path)}</code>
              <span className={styles.size}>{formatBytes(f.bytes)}</span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function CheckpointsInside({ folder, items, loading }: { folder: string; items: Checkpoint[]; loading: boolean }) {
  return (
    <>
      <h5 className={styles.sub}>Checkpoints inside ({loading ? '…' : formatCount(items.length)})</h5>
      {items.length === 0 ? (
        <p className={styles.muted}>{loading ? 'Loading…' : 'No model file inside.'}</p>
      ) : (
        <ul className={styles.list} aria-label="Checkpoints inside">
          {items.slice(0, CHECKPOINTS_SHOWN).map((c) => (
            <li key={c.path} className={styles.row}>
              <code className={styles.path}>{inside(folder, c.path)}</code>
              <span className={styles.muted}>{summarize(c)}</span>
              <span className={styles.size}>{formatBytes(c.bytes)}</span>
            </li>
          ))}
          {items.length > CHECKPOINTS_SHOWN && (
            <li className={styles.muted}>and {formatCount(items.length - CHECKPOINTS_SHOWN)} more</li>
          )}
        </ul>
      )}
    </>
  );
}

function CheckpointFacts({ checkpoint }: { checkpoint: Checkpoint }) {
  return (
    <>
      <h4 className={styles.section}>The model</h4>
      <p className={styles.line}>{summarize(checkpoint) || 'No epoch or metrics recorded in it.'}</p>
    </>
  );
}

/** "epoch 12 · val_px 4.19 · integrity ok", the few facts that tell one checkpoint from its neighbours. */
function summarize(c: Checkpoint): string {
  const parts: string[] = [];
  if (c.epoch !== undefined) parts.push(`epoch ${formatMetric(c.epoch)}`);
  else if (c.step !== undefined) parts.push(`step ${formatMetric(c.step)}`);
  for (const [name, value] of Object.entries(c.metrics).slice(0, 2)) parts.push(`${name} ${formatMetric(value)}`);
  if (c.integrity.status !== 'ok' && c.integrity.status !== 'unchecked') parts.push(c.integrity.status);
  return parts.join(' · ');
}
