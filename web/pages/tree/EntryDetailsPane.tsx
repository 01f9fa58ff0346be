import type { ReactNode } from 'react';
import type { EntryDetails } from '../../../shared/schemas/index.js';
import { useEntry } from '../../api/hooks.js';
import { CheckpointDetails } from '../../components/CheckpointDetails.js';
import { ReferenceList } from '../../components/DetailsPane.js';
import pane from '../../components/DetailsPane.module.css';
import { TagChips } from '../../components/TagChips.js';
import { formatBytes, formatCount, formatDateTime, formatRelative } from '../../format.js';
import styles from './EntryDetailsPane.module.css';

const KIND_LABEL: Record<EntryDetails['kind'], string> = {
  dir: 'Folder',
  file: 'File',
  symlink: 'Symbolic link (not followed)',
  other: 'Other (device, socket or pipe)',
};

export function EntryDetailsPane({ path }: { path: string | null }) {
  const { data: entry, error, isPending } = useEntry(path);

  return (
    <aside className={styles.pane} aria-label="Details">
      {path === null ? (
        <p className={pane.muted}>Select an entry to see its details. Use the arrow keys to move, → to open a folder.</p>
      ) : error ? (
        <p role="alert" className={pane.error}>
          {error.message}
        </p>
      ) : isPending || !entry ? (
        <p className={pane.muted}>Loading…</p>
      ) : (
        <Details entry={entry} />
      )}
    </aside>
  );
}

function Details({ entry }: { entry: EntryDetails }) {
  const checkpoint = entry.checkpoint;
  return (
    <>
      <h2 className={pane.title}>{entry.name || 'Checkpoints root'}</h2>
      <p className={pane.path}>{entry.path || '/'}</p>
      {entry.error && (
        <p role="alert" className={pane.error}>
          {entry.error}
        </p>
      )}
      {entry.protected && (
        <div className={styles.protected}>
          <strong>Protected</strong>
          {entry.protectedBy.length > 0 && (
            <ul>
              {entry.protectedBy.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <dl className={pane.facts}>
        <Fact label="Kind">{KIND_LABEL[entry.kind]}</Fact>
        {entry.kind === 'symlink' && entry.target !== undefined && (
          <Fact label="Target">
            <code className={styles.break}>{entry.target}</code>
          </Fact>
        )}
        <Fact label="Size">
          {formatBytes(entry.bytes)} <span className={styles.exact}>({formatCount(entry.bytes)} bytes)</span>
        </Fact>
        <Fact label="On disk">{formatBytes(entry.diskBytes)}</Fact>
        {entry.kind === 'dir' && <Fact label="Files">{formatCount(entry.files)}</Fact>}
        {entry.kind === 'dir' && entry.dirs !== undefined && <Fact label="Folders">{formatCount(entry.dirs)}</Fact>}
        <Fact label="Modified">
          {formatDateTime(entry.mtimeMs)}
          {formatRelative(entry.mtimeMs) && <span className={styles.exact}> ({formatRelative(entry.mtimeMs)})</span>}
        </Fact>
        {entry.inode !== undefined && <Fact label="Inode">{entry.inode}</Fact>}
        {entry.nlink !== undefined && <Fact label="Links">{entry.nlink}</Fact>}
        <Fact label="Etag">
          <code className={styles.break}>{entry.etag}</code>
        </Fact>
      </dl>
      <h3 className={pane.section}>Tags</h3>
      <TagChips tags={entry.tags} userTags={entry.userTags} />
      {entry.note && <p className={styles.note}>{entry.note}</p>}
      {checkpoint && <CheckpointDetails checkpoint={checkpoint} />}
      {entry.references.length > 0 && (
        <>
          <h3 className={pane.section}>Referenced by</h3>
          <ReferenceList references={entry.references} />
        </>
      )}
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
