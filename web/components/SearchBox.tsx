import type { Ref } from 'react';
import styles from './Toolbar.module.css';

interface Props {
  /** The placeholder, also the box's accessible name. */
  label: string;
  value: string;
  onChange: (value: string) => void;
  ref?: Ref<HTMLInputElement>;
  /** Composes the shared `.search` (the toolbars set the box's width). */
  className?: string;
}

/** A toolbar's search box: Escape clears it, and a `/` hint shows while it is empty and unfocused. */
export function SearchBox({ label, value, onChange, ref, className = styles.search }: Props) {
  return (
    <label className={className}>
      <span className="visually-hidden">{label}</span>
      <input
        ref={ref}
        type="search"
        placeholder={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) {
            e.preventDefault();
            onChange('');
          }
        }}
        spellCheck={false}
        autoComplete="off"
      />
      <kbd className={styles.hint} aria-hidden="true">
        /
      </kbd>
    </label>
  );
}
