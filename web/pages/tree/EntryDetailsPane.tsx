import { useState, type ReactNode, type Ref } from 'react';
import type { DeletionResult, EntryDetails } from '../../../shared/schemas/index.js';
import { useEntry } from '../../api/hooks.js';
import { CheckpointDetails } from '../../components/CheckpointDetails.js';
import { DeletedNote, DeleteEntryButton } from '../../components/DeleteDialog.js';
import { EntryJobs } from '../../components/EntryJobs.js';
import { ProtectionNote, ReferenceList } from '../../components/DetailsPane.js';
import pane from '../../components/DetailsPane.module.css';
import { TagEditor } from '../../components/TagEditor.js';
import { formatBytes, formatCount, formatDateTime, formatRelative } from '../../format.js';
import styles from './EntryDetailsPane.module.css';

const KIND_LABEL: Record<EntryDetails['kind'], string> = {
  dir: 'Folder',
  file: 'File',
  symlink: 'Symbolic link (not followed)',
  other: 'Other (device, socket or pipe)',
};

interface Props {
  path: string | null;
  /** The tag input, for the tree's `t` shortcut. */
  tagInputRef?: Ref<HTMLInputElement>;
  /** Escape in the empty tag input. */
  onTagsDone?: () => void;
}

export function EntryDetailsPane({ path, tagInputRef, onTagsDone }: Props) {
  const { data: entry, error, isPending } = useEntry(path);
  const [deleted, setDeleted] = useState<DeletionResult | null>(null);

  return (
    <aside className={styles.pane} aria-label="Details">
      {deleted && deleted.path === path ? (
        <DeletedNote result={deleted} />
      ) : path === null ? (
        <p className={pane.muted}>Select an entry to see its details. Use the arrow keys to move, → to open a folder.</p>
      ) : error ? (
        <p role="alert" className={pane.error}>
          {error.message}
        </p>
      ) : isPending || !entry ? (
        <p className={pane.muted}>Loading…</p>
      ) : (
        <Details entry={entry} tagInputRef={tagInputRef} onTagsDone={onTagsDone} onDeleted={setDeleted} />
      )}
    </aside>
  );
}

function Details({
  entry,
  tagInputRef,
  onTagsDone,
  onDeleted,
}: { entry: EntryDetails; onDeleted: (r: DeletionResult) => void } & Omit<Props, 'path'>) {
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
      {entry.protected && <ProtectionNote reasons={entry.protectedBy ?? []} />}
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
      <DeleteEntryButton entry={entry} onDeleted={onDeleted} />
      {entry.path !== '' && <EntryJobs path={entry.path} />}
      <TagEditor key={entry.path} entry={entry} inputRef={tagInputRef} onEscape={onTagsDone} />
      {(entry.references ?? []).length > 0 && (
        <>
          <h3 className={pane.section}>Referenced by ({entry.references.length})</h3>
          <ReferenceList references={entry.references} />
        </>
      )}
      {(entry.twins ?? []).length > 0 && (
        <>
          <h3 className={pane.section}>Identical copies ({entry.twins!.length})</h3>
          <ul className={styles.twins} aria-label="Identical copies">
            {entry.twins!.map((t) => (
              <li key={t}>
                <code>{t}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {checkpoint && <CheckpointDetails checkpoint={checkpoint} />}
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
