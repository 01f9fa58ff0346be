import { useEffect, useId, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { DeletionResult, EntryDetails } from '../../shared/schemas/index.js';
import { api, isApiError } from '../api/client.js';
import { refusalOf, useDeleteEntry, type Refusal } from '../api/deletions.js';
import { useSummary } from '../api/hooks.js';
import { keys } from '../api/keys.js';
import { formatBytes, formatCount } from '../format.js';
import { ModalDialog } from './ModalDialog.js';
import { RefusalNote } from './RefusalNote.js';
import dialog from './ModalDialog.module.css';
import styles from './DeleteDialog.module.css';

/** What the dialog shows and deletes: the entry as the user saw it, etag included. */
export type DeleteTarget = Pick<EntryDetails, 'path' | 'kind' | 'etag' | 'bytes' | 'diskBytes' | 'files'>;

interface DialogProps {
  target: DeleteTarget;
  onClose: () => void;
  onDeleted?: (result: DeletionResult) => void;
}

/**
 * "Delete this?" for one entry, naming the path and the size. Cancel has the keyboard first. The request carries the
 * etag shown here; when the server answers CHANGED, Refresh reads the entry again and the user confirms again.
 */
export function DeleteDialog({ target: initial, onClose, onDeleted }: DialogProps) {
  const id = useId();
  const qc = useQueryClient();
  const del = useDeleteEntry();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [target, setTarget] = useState(initial);
  const [refreshing, setRefreshing] = useState(false);
  const [gone, setGone] = useState<Refusal | null>(null);
  const refusal = gone ?? (del.error ? refusalOf(del.error) : null);
  const name = target.path.slice(target.path.lastIndexOf('/') + 1);

  const refresh = async () => {
    setRefreshing(true);
    try {
      const fresh = await api.get<EntryDetails>('/api/entry', { path: target.path });
      qc.setQueryData(keys.entry(target.path), fresh);
      setTarget(fresh);
      del.reset();
    } catch (err) {
      if (isApiError(err, 404)) setGone({ code: 'NOT_FOUND', message: `${target.path} is not there any more.` });
      else setGone(refusalOf(err));
    } finally {
      setRefreshing(false);
    }
  };

  const confirm = () =>
    del.mutate(
      { path: target.path, etag: target.etag },
      {
        onSuccess: (result) => {
          onDeleted?.(result);
          onClose();
        },
      },
    );

  return (
    <ModalDialog labelledBy={`${id}-title`} describedBy={`${id}-what`} onClose={onClose} initialFocus={cancelRef}>
      <div className={dialog.body}>
        <h2 id={`${id}-title`} className={dialog.title}>
          Delete {name}?
        </h2>
        <div id={`${id}-what`} className={styles.what}>
          <code className={styles.path}>{target.path}</code>
          <dl className={styles.facts}>
            <dt>Size</dt>
            <dd>
              {formatBytes(target.bytes)} <span className={dialog.muted}>({formatBytes(target.diskBytes)} on disk)</span>
            </dd>
            {target.kind === 'dir' && (
              <>
                <dt>Contains</dt>
                <dd>
                  {formatCount(target.files)} {target.files === 1 ? 'file' : 'files'}, all deleted with the folder
                </dd>
              </>
            )}
          </dl>
          <p className={dialog.muted}>
            There is no trash: once deleted it is gone. The server checks again first and refuses anything protected,
            changed since you saw it, or being written.
          </p>
        </div>
        {refusal && <RefusalNote refusal={refusal} onRefresh={gone ? undefined : () => void refresh()} refreshing={refreshing} />}
      </div>
      <div className={dialog.actions}>
        <button ref={cancelRef} type="button" className={dialog.button} onClick={onClose}>
          Cancel
        </button>
        <button type="button" className={dialog.danger} onClick={confirm} disabled={del.isPending || refreshing || !!gone}>
          {del.isPending ? 'Deleting…' : `Delete ${formatBytes(target.bytes)}`}
        </button>
      </div>
    </ModalDialog>
  );
}

interface ButtonProps {
  /** The details pane's entry; the button waits for it. */
  entry: EntryDetails | undefined;
  onDeleted?: (result: DeletionResult) => void;
}

/** Why the button is off, in words for its title; null when deleting is allowed. */
function blockedBy(entry: EntryDetails | undefined, readOnly: boolean): string | null {
  if (!entry) return 'Loading the entry…';
  if (readOnly) return 'The server runs read-only: nothing can be deleted.';
  if (entry.path === '') return 'The checkpoints folder itself is never deleted.';
  if (entry.protected) return `Protected, so it cannot be deleted: ${(entry.protectedBy ?? []).join('; ') || 'see Protection above'}.`;
  return null;
}

/** The details panes' "Delete…": off with the reason when the entry is protected or the server read-only. */
export function DeleteEntryButton({ entry, onDeleted }: ButtonProps) {
  const { data: summary } = useSummary();
  const [open, setOpen] = useState<DeleteTarget | null>(null);
  const blocked = blockedBy(entry, summary?.readOnly ?? false);
  return (
    <>
      <button
        type="button"
        className={styles.open}
        disabled={blocked !== null}
        title={blocked ?? `Delete ${entry?.path} after a confirmation`}
        // A snapshot: what the dialog names is what it deletes, even if the pane refreshes meanwhile.
        onClick={() => entry && setOpen({ ...entry })}
      >
        Delete…
      </button>
      {open && <DeleteDialog target={open} onClose={() => setOpen(null)} onDeleted={onDeleted} />}
    </>
  );
}

/** What the pane shows once its entry is deleted, instead of the server's "no such entry". */
export function DeletedNote({ result }: { result: DeletionResult }) {
  // The button that opened the dialog is gone with the entry: the keyboard lands here rather than on the page's body.
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <p ref={ref} role="status" tabIndex={-1} className={styles.deleted}>
      Deleted <code>{result.path}</code>: freed {formatBytes(result.freedBytes)} ({formatBytes(result.freedDiskBytes)} on disk),{' '}
      {formatCount(result.deletedFiles)} {result.deletedFiles === 1 ? 'file' : 'files'}.
    </p>
  );
}
