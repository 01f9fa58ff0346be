import styles from './TagChips.module.css';

/** Tags as chips; user-set ones are marked so they read differently from computed ones. */
export function TagChips({ tags, userTags = [] }: { tags: string[]; userTags?: string[] }) {
  if (tags.length === 0) return <span className={styles.none}>none</span>;
  const user = new Set(userTags);
  return (
    <ul className={styles.chips} aria-label="Tags">
      {tags.map((tag) => (
        <li
          key={tag}
          className={styles.chip}
          data-tag={tag}
          data-user={user.has(tag) || undefined}
          title={user.has(tag) ? 'Set by you' : 'Computed'}
        >
          {tag}
        </li>
      ))}
    </ul>
  );
}
