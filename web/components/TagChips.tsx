import styles from './TagChips.module.css';

interface Props {
  tags: string[];
  userTags?: string[];
  /** Given, every user-set tag gets a remove button; computed tags never do (the server owns them). */
  onRemove?: (tag: string) => void;
  /** Remove buttons are shown but inactive (a request is on its way). */
  busy?: boolean;
}

/** Tags as chips; user-set ones read differently from computed ones, in words for screen readers too. */
export function TagChips({ tags, userTags = [], onRemove, busy = false }: Props) {
  if (tags.length === 0) return <span className={styles.none}>none</span>;
  const user = new Set(userTags);
  return (
    <ul className={styles.chips} aria-label="Tags">
      {tags.map((tag) => {
        const mine = user.has(tag);
        return (
          <li
            key={tag}
            className={styles.chip}
            data-tag={tag}
            data-user={mine || undefined}
            title={mine ? 'Set by you' : 'Computed by ckptdash'}
          >
            <span className={styles.name}>{tag}</span>
            <span className="visually-hidden">{mine ? ', set by you' : ', computed'}</span>
            {mine && onRemove && (
              <button
                type="button"
                className={styles.remove}
                aria-label={`Remove tag ${tag}`}
                title={`Remove tag ${tag}`}
                disabled={busy}
                onClick={() => onRemove(tag)}
              >
                <svg viewBox="0 0 10 10" aria-hidden="true" focusable="false">
                  <path d="M2.5 2.5l5 5M7.5 2.5l-5 5" />
                </svg>
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
