import { useRef, type KeyboardEvent } from 'react';
import type { HistoryRange } from '../../api/keys.js';
import { RANGES } from './overview-data.js';
import styles from './RangePicker.module.css';

/** A segmented radio group: one tab stop, arrows move the choice as in native radios. */
export function RangePicker({ value, onChange }: { value: HistoryRange; onChange: (range: HistoryRange) => void }) {
  const group = useRef<HTMLDivElement>(null);

  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const i = RANGES.findIndex((r) => r.value === value);
    const next = RANGES[(i + step + RANGES.length) % RANGES.length];
    onChange(next.value);
    group.current?.querySelector<HTMLButtonElement>(`[data-range="${next.value}"]`)?.focus();
  };

  return (
    <div ref={group} role="radiogroup" aria-label="History range" className={styles.group} onKeyDown={onKeyDown}>
      {RANGES.map((r) => {
        const checked = r.value === value;
        return (
          <button
            key={r.value}
            type="button"
            role="radio"
            aria-checked={checked}
            aria-label={r.name}
            title={r.name}
            data-range={r.value}
            tabIndex={checked ? 0 : -1}
            className={styles.option}
            onClick={() => onChange(r.value)}
          >
            {r.label}
          </button>
        );
      })}
    </div>
  );
}
