import { forwardRef, useState, type Ref } from 'react';
import type { Checkpoint, DeletionResult, Reference } from '../../../shared/schemas/index.js';
import { checkpointName } from '../../api/checkpoint-details.js';
import { useEntry } from '../../api/hooks.js';
import { CheckpointDetails } from '../../components/CheckpointDetails.js';
import { DeletedNote, DeleteEntryButton } from '../../components/DeleteDialog.js';
import { EntryJobs } from '../../components/EntryJobs.js';
import { ProtectionNote, ReferenceList } from '../../components/DetailsPane.js';
import pane from '../../components/DetailsPane.module.css';
import { TagChips } from '../../components/TagChips.js';
import { TagEditor } from '../../components/TagEditor.js';
import { formatBytes, formatCount } from '../../format.js';
import styles from './ModelDetailsPane.module.css';

interface Props {
  /** The row picked in the table; its list item shows at once while the full details load. */
  checkpoint: Checkpoint | null;
  /** The tag input, for the table's `t` shortcut. */
  tagInputRef?: Ref<HTMLInputElement>;
  /** Escape in the empty tag input. */
  onTagsDone?: () => void;
}

/** The selected checkpoint: the list's facts first, then what /api/entry adds (scalars, pickle imports, user tags). */
export const ModelDetailsPane = forwardRef<HTMLElement, Props>(function ModelDetailsPane(
  { checkpoint, tagInputRef, onTagsDone },
  ref,
) {
  const entry = useEntry(checkpoint?.path ?? null);
  const full = entry.data?.checkpoint ?? checkpoint;
  // The entry is the fresher source once loaded: a tag change updates it first.
  const isProtected = entry.data?.protected ?? full?.protected ?? false;
  const [deleted, setDeleted] = useState<DeletionResult | null>(null);
  return (
    <aside ref={ref} className={styles.pane} aria-label="Model details" tabIndex={-1}>
      {deleted && deleted.path === checkpoint?.path ? (
        <DeletedNote result={deleted} />
      ) : !checkpoint || !full ? (
        <p className={pane.muted}>
          Select a checkpoint to see what is inside it. Use ↑ ↓ to move through the table, Enter to read the details, t to
          tag it, / to filter.
        </p>
      ) : (
        <>
          <h2 className={pane.title}>{checkpointName(full.path)}</h2>
          <p className={pane.path}>{full.path}</p>
          {entry.error && (
            <p role="alert" className={pane.error}>
              Could not load all the details: {entry.error.message}
            </p>
          )}
          {isProtected && <ProtectionNote reasons={entry.data?.protectedBy ?? []} />}
          <dl className={pane.facts}>
            <dt>Size</dt>
            <dd>
              {formatBytes(full.bytes)} <span className={pane.muted}>({formatCount(full.bytes)} bytes)</span>
            </dd>
            {!isProtected && (
              <>
                <dt>Protected</dt>
                <dd>no</dd>
              </>
            )}
          </dl>
          <DeleteEntryButton entry={entry.data} onDeleted={setDeleted} />
          {checkpoint && <EntryJobs path={checkpoint.path} />}
          {entry.data ? (
            <TagEditor key={entry.data.path} entry={entry.data} inputRef={tagInputRef} onEscape={onTagsDone} />
          ) : (
            <>
              <h3 className={pane.section}>Tags</h3>
              <TagChips tags={full.tags} />
            </>
          )}
          <References references={full.references} />
          <CheckpointDetails checkpoint={full} />
        </>
      )}
    </aside>
  );
});

function References({ references }: { references: Reference[] }) {
  return (
    <>
      <h3 className={pane.section}>Referenced by ({references.length})</h3>
      {references.length === 0 ? (
        <p className={pane.muted}>No project file mentions this checkpoint.</p>
      ) : (
        <ReferenceList references={references} />
      )}
    </>
  );
}
