import { forwardRef, type ReactNode } from 'react';
import { FORMAT_LABEL } from '../../api/checkpoint-details.js';
import type { Checkpoint } from '../../../shared/schemas/index.js';
import { SearchBox } from '../../components/SearchBox.js';
import { VerifyModelsButton } from '../backups/VerifyModelsButton.js';
import { FindDuplicatesButton } from './FindDuplicatesButton.js';
import type { ModelFilter } from './models-view.js';
import styles from './ModelsToolbar.module.css';

interface Props {
  filter: ModelFilter;
  onFilter: (patch: Partial<ModelFilter>) => void;
  formats: Checkpoint['format'][];
  tags: string[];
  metricNames: string[];
  metric: string;
  onMetric: (name: string) => void;
}

const INTEGRITY = ['ok', 'corrupt', 'truncated', 'writing', 'unchecked'] as const;

export const ModelsToolbar = forwardRef<HTMLInputElement, Props>(function ModelsToolbar(
  { filter, onFilter, formats, tags, metricNames, metric, onMetric },
  searchRef,
) {
  return (
    <div className={styles.toolbar}>
      <SearchBox ref={searchRef} className={styles.search} label="Filter by path" value={filter.q} onChange={(q) => onFilter({ q })} />
      <Select label="Format" value={filter.format} onChange={(format) => onFilter({ format })} all="Any format">
        {formats.map((f) => (
          <option key={f} value={f}>
            {FORMAT_LABEL[f] ?? f}
          </option>
        ))}
      </Select>
      <Select label="Tag" value={filter.tag} onChange={(tag) => onFilter({ tag })} all="Any tag">
        {tags.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </Select>
      <Select label="Integrity" value={filter.integrity} onChange={(integrity) => onFilter({ integrity })} all="Any status">
        {INTEGRITY.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </Select>
      {metricNames.length > 0 && (
        <Select label="Metric" value={metric} onChange={onMetric}>
          {metricNames.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </Select>
      )}
      <VerifyModelsButton />
      <FindDuplicatesButton />
    </div>
  );
});

function Select({
  label,
  value,
  onChange,
  all,
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  all?: string;
  children: ReactNode;
}) {
  return (
    <label className={styles.field}>
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {all !== undefined && <option value="">{all}</option>}
        {children}
      </select>
    </label>
  );
}
