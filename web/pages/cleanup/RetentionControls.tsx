import type { Plan } from '../../../shared/schemas/index.js';
import { formatCount } from '../../format.js';
import { EMPTY_DRAFT, isKeepInvalid, MAX_KEEP, type RetentionDraft } from './plan-view.js';
import { useMetricNames } from './use-plan.js';
import styles from './RetentionControls.module.css';

type Retention = NonNullable<Plan['retention']>;

interface Props {
  draft: RetentionDraft;
  onChange: (draft: RetentionDraft) => void;
  /** The project config's retention, once known. */
  defaults: Retention | undefined;
}

const DIRECTION_TEXT = { min: 'lower is better', max: 'higher is better' } as const;

/** Keep last N and best K intermediates of each run; an empty field means the project config's value. */
export function RetentionControls({ draft, onChange, defaults }: Props) {
  const set = (patch: Partial<RetentionDraft>) => onChange({ ...draft, ...patch });
  const bestText = draft.keepBest.trim() === '' ? String(defaults?.keepBest ?? 0) : draft.keepBest;
  const ranking = bestText !== '0' && !isKeepInvalid(bestText);
  const metrics = useMetricNames(ranking);
  const changed = draft.keepLast !== '' || draft.keepBest !== '' || draft.metric !== '' || draft.direction !== '';

  return (
    <fieldset className={styles.retention}>
      <legend className={styles.legend}>
        Retention<span className="visually-hidden"> of intermediate checkpoints</span>
      </legend>
      <div className={styles.fields}>
        <KeepField label="Keep last" value={draft.keepLast} fallback={defaults?.keepLast} onChange={(keepLast) => set({ keepLast })} />
        <KeepField label="Keep best" value={draft.keepBest} fallback={defaults?.keepBest} onChange={(keepBest) => set({ keepBest })} />
        <label className={styles.field}>
          <span>by metric</span>
          <input
            type="text"
            list="retention-metrics"
            value={draft.metric}
            placeholder={defaults?.metric ?? 'per run'}
            disabled={!ranking}
            spellCheck={false}
            maxLength={200}
            onChange={(e) => set({ metric: e.target.value })}
            className={styles.metric}
          />
          <datalist id="retention-metrics">
            {metrics.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <label className={styles.field}>
          <span>Direction</span>
          <select
            value={draft.direction}
            disabled={!ranking}
            onChange={(e) => set({ direction: e.target.value as RetentionDraft['direction'] })}
          >
            <option value="">{defaults?.direction ? `${DIRECTION_TEXT[defaults.direction]} (config)` : 'from the metric name'}</option>
            <option value="min">{DIRECTION_TEXT.min}</option>
            <option value="max">{DIRECTION_TEXT.max}</option>
          </select>
        </label>
        <button type="button" className={styles.reset} disabled={!changed} onClick={() => onChange(EMPTY_DRAFT)}>
          Use config defaults
        </button>
      </div>
      <p className={styles.hint}>
        {defaults ? (
          <>
            Config defaults: keep last {formatCount(defaults.keepLast)}, keep best {formatCount(defaults.keepBest)}
            {defaults.metric ? ` by ${defaults.metric}` : ''}.{' '}
          </>
        ) : null}
        Retention applies to intermediate checkpoints only; a run without a final model always keeps its newest. Loss, error
        and px rank lower-is-better, accuracy and F1 higher.
      </p>
    </fieldset>
  );
}

interface KeepProps {
  label: string;
  value: string;
  fallback: number | undefined;
  onChange: (value: string) => void;
}

/** A count field showing the config's value until the user types another; emptied, it goes back to it. */
function KeepField({ label, value, fallback, onChange }: KeepProps) {
  const invalid = isKeepInvalid(value);
  return (
    <label className={styles.field}>
      <span>{label}</span>
      <input
        type="number"
        inputMode="numeric"
        min={0}
        max={MAX_KEEP}
        step={1}
        value={value}
        placeholder={fallback === undefined ? '' : String(fallback)}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value)}
        className={styles.count}
      />
    </label>
  );
}
