import { useCallback, useId, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import type { Entry } from '../../shared/schemas/index.js';
import { useSetTags, useSummary } from '../api/hooks.js';
import { TagChips } from './TagChips.js';
import styles from './TagEditor.module.css';

/** The user tags that protect, offered as one-click toggles. */
const QUICK_TAGS = ['critical', 'historical'] as const;

interface Props {
  entry: Pick<Entry, 'path' | 'tags' | 'userTags' | 'note'>;
  /** The free-form tag input, for the grids' `t` shortcut. */
  inputRef?: Ref<HTMLInputElement>;
  /** Escape in the empty tag input: hand the keyboard back (to the row `t` came from). */
  onEscape?: () => void;
}

type Area = 'tags' | 'note';

/**
 * An entry's tags and note, editable: computed tags as they are, user tags with a remove button, quick toggles for
 * `critical` and `historical`, a free-form input and the note. Key it by path: drafts belong to one entry.
 */
export function TagEditor({ entry, inputRef, onEscape }: Props) {
  const summary = useSummary().data;
  const readOnly = summary?.readOnly ?? false;
  const setTags = useSetTags();
  const [text, setText] = useState('');
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<{ area: Area; message: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const ids = { heading: useId(), input: useId(), note: useId(), readOnly: useId(), quick: useId() };
  const ownInput = useRef<HTMLInputElement | null>(null);
  const setInput = useCallback(
    (el: HTMLInputElement | null) => {
      ownInput.current = el;
      if (typeof inputRef === 'function') inputRef(el);
      else if (inputRef) inputRef.current = el;
    },
    [inputRef],
  );

  const note = entry.note ?? '';
  const shownNote = draft ?? note;
  const noteChanged = draft !== null && draft !== note;
  const busy = setTags.isPending;

  // Buttons stay enabled while a request runs (a disabled button drops the keyboard focus); clicks wait instead.
  const send = (area: Area, change: { add?: string[]; remove?: string[]; note?: string }, onDone?: () => void) => {
    if (readOnly || busy) return;
    setError(null);
    setTags.mutate(
      { path: entry.path, ...change },
      {
        onSuccess: () => onDone?.(),
        onError: (err) => setError({ area, message: err.message }),
      },
    );
  };

  const add = () => {
    // Several tags may be typed at once, separated by commas or spaces; the server lowercases and checks each.
    const names = text.split(/[\s,]+/).filter(Boolean);
    if (names.length === 0) return;
    send('tags', { add: names }, () => setText(''));
  };

  const saveNote = () => {
    if (!noteChanged) return;
    send('note', { note: (draft ?? '').trim() }, () => {
      setDraft(null);
      setSaved(true);
    });
  };

  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    if (text) setText('');
    else onEscape?.();
  };

  const onNoteKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      saveNote();
    }
  };

  return (
    <section className={styles.editor} aria-labelledby={ids.heading} aria-busy={busy || undefined}>
      <div className={styles.head}>
        <h3 id={ids.heading} className={styles.section}>
          Tags
        </h3>
        <span className={styles.hint}>
          <kbd>t</kbd> in the list to tag
        </span>
      </div>
      {readOnly && (
        <p id={ids.readOnly} className={styles.readOnly}>
          Tagging is off: the server runs read-only{summary?.readOnlyReason ? ` (${summary.readOnlyReason})` : ''}.
        </p>
      )}
      <TagChips
        tags={entry.tags}
        userTags={entry.userTags}
        // The removed chip takes its button (and the focus) with it: the input is the next useful place.
        onRemove={readOnly ? undefined : (tag) => send('tags', { remove: [tag] }, () => ownInput.current?.focus())}
      />
      <div className={styles.quick} role="group" aria-label="Protecting tags" aria-describedby={ids.quick}>
        {QUICK_TAGS.map((tag) => {
          const set = entry.userTags.includes(tag);
          // `critical` can also come from a pin source; marking it too keeps it if the project file changes.
          const computed = !set && entry.tags.includes(tag);
          return (
            <button
              key={tag}
              type="button"
              className={styles.button}
              data-set={set || undefined}
              title={computed ? `Already ${tag} through a project file; marking it keeps it ${tag} if that file changes` : undefined}
              disabled={readOnly}
              onClick={() => send('tags', set ? { remove: [tag] } : { add: [tag] })}
            >
              {set ? `Unmark ${tag}` : `Mark ${tag}`}
            </button>
          );
        })}
        <span id={ids.quick} className={styles.muted}>
          both protect from deletion
        </span>
      </div>
      <form
        className={styles.add}
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <label htmlFor={ids.input} className="visually-hidden">
          New tag
        </label>
        <input
          ref={setInput}
          id={ids.input}
          className={styles.input}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onInputKey}
          placeholder="Add a tag, e.g. paper-v2"
          maxLength={64}
          spellCheck={false}
          autoComplete="off"
          // Read-only rather than disabled, so `t` can still bring the keyboard here to hear why.
          readOnly={readOnly}
          aria-describedby={readOnly ? ids.readOnly : undefined}
          aria-invalid={error?.area === 'tags' || undefined}
        />
        <button type="submit" className={styles.button} disabled={readOnly}>
          Add
        </button>
      </form>
      {error?.area === 'tags' && (
        <p role="alert" className={styles.error}>
          {error.message}
        </p>
      )}
      <label htmlFor={ids.note} className={styles.section}>
        Note
      </label>
      <textarea
        id={ids.note}
        className={styles.note}
        value={shownNote}
        onChange={(e) => {
          setDraft(e.target.value);
          setSaved(false);
        }}
        onKeyDown={onNoteKey}
        rows={3}
        maxLength={4000}
        placeholder="Why this model matters, where it was published…"
        readOnly={readOnly}
        aria-describedby={readOnly ? ids.readOnly : undefined}
        aria-invalid={error?.area === 'note' || undefined}
      />
      <div className={styles.noteActions}>
        <button
          type="button"
          className={styles.button}
          disabled={readOnly}
          aria-disabled={!noteChanged || undefined}
          title={noteChanged ? undefined : 'Nothing to save: the note is unchanged'}
          onClick={saveNote}
        >
          Save note
        </button>
        <span className={styles.hint}>
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
        </span>
        <span role="status" className={styles.saved}>
          {saved && !noteChanged ? (note ? 'Note saved' : 'Note cleared') : ''}
        </span>
      </div>
      {error?.area === 'note' && (
        <p role="alert" className={styles.error}>
          {error.message}
        </p>
      )}
    </section>
  );
}
