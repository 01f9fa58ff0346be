import { useRef, type KeyboardEvent } from 'react';
import type { Policy } from '../../../shared/schemas/index.js';
import { POLICIES } from './plan-view.js';
import styles from './PolicyPicker.module.css';

/** The three policies as a segmented radio group: one tab stop, arrow keys move the choice as native radios do. */
export function PolicyPicker({ value, onChange }: { value: Policy; onChange: (policy: Policy) => void }) {
  const group = useRef<HTMLDivElement>(null);
  const current = POLICIES.find((p) => p.value === value) ?? POLICIES[1];

  const choose = (policy: Policy) => {
    onChange(policy);
    group.current?.querySelector<HTMLButtonElement>(`[data-policy="${policy}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const i = POLICIES.findIndex((p) => p.value === value);
    let next: number;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (i + 1) % POLICIES.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (i - 1 + POLICIES.length) % POLICIES.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = POLICIES.length - 1;
    else return;
    e.preventDefault();
    choose(POLICIES[next].value);
  };

  return (
    <div className={styles.picker}>
      <span id="policy-label" className={styles.label}>
        Policy
      </span>
      <div
        ref={group}
        role="radiogroup"
        aria-labelledby="policy-label"
        aria-describedby="policy-description"
        className={styles.group}
        onKeyDown={onKeyDown}
      >
        {POLICIES.map((p) => {
          const checked = p.value === value;
          return (
            <button
              key={p.value}
              type="button"
              role="radio"
              aria-checked={checked}
              data-policy={p.value}
              tabIndex={checked ? 0 : -1}
              className={styles.option}
              onClick={() => choose(p.value)}
            >
              {p.label}
            </button>
          );
        })}
      </div>
      <p id="policy-description" className={styles.description}>
        {current.description}
      </p>
    </div>
  );
}
