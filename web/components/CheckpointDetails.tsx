import type { ReactNode } from 'react';
import type { Checkpoint } from '../../shared/schemas/index.js';
import { checkpointExtras, FORMAT_LABEL } from '../api/checkpoint-details.js';
import { formatBytes, formatCount, formatMetric, formatParams } from '../format.js';
import { IntegrityBadge } from './IntegrityBadge.js';
import styles from './CheckpointDetails.module.css';

/** Long value tables start folded so the facts above stay in view. */
const OPEN_TABLE_ROWS = 12;

/** What the model readers found in one checkpoint; shared by the Tree's and the Models page's details panes. */
export function CheckpointDetails({ checkpoint }: { checkpoint: Checkpoint }) {
  const { globals, dtypes, scalars, training, error } = checkpointExtras(checkpoint);
  const unsafe = globals.filter((g) => !g.safe);
  const metrics = Object.entries(checkpoint.metrics);
  const { integrity } = checkpoint;
  return (
    <section className={styles.checkpoint} aria-label="Checkpoint">
      <h3 className={styles.section}>Checkpoint</h3>
      {unsafe.length > 0 && (
        <div className={styles.unsafe} role="note">
          <strong>Unsafe pickle.</strong> Loading this with <code>torch.load(weights_only=False)</code> would run code from{' '}
          {unsafe.map((g, i) => (
            <span key={`${g.module}.${g.name}`}>
              {i > 0 && (i === unsafe.length - 1 ? ' and ' : ', ')}
              <code>
                {g.module}.{g.name}
              </code>
            </span>
          ))}
          ; <code>weights_only=True</code> refuses it.
        </div>
      )}
      {error && <p className={styles.readError}>Could not read the contents: {error}</p>}
      <dl className={styles.facts}>
        <Fact label="Format">{FORMAT_LABEL[checkpoint.format] ?? checkpoint.format}</Fact>
        <Fact label="Integrity">
          <IntegrityBadge status={integrity.status} detail={integrity.detail} />
          {integrity.detail && <span className={styles.detail}>{integrity.detail}</span>}
        </Fact>
        {checkpoint.epoch !== undefined && <Fact label="Epoch">{formatMetric(checkpoint.epoch)}</Fact>}
        {checkpoint.step !== undefined && <Fact label="Step">{formatCount(checkpoint.step)}</Fact>}
        {checkpoint.tensors !== undefined && <Fact label="Tensors">{formatCount(checkpoint.tensors)}</Fact>}
        {checkpoint.parameters !== undefined && (
          <Fact label="Parameters">
            <span title={`${formatCount(checkpoint.parameters)} parameters`}>{formatParams(checkpoint.parameters)}</span>
          </Fact>
        )}
        {dtypes.length > 0 && <Fact label="Dtypes">{dtypes.join(', ')}</Fact>}
        <Fact label="Optimizer state">
          {checkpoint.optimizerBytes !== undefined ? `yes, ${formatBytes(checkpoint.optimizerBytes)}` : 'none found'}
        </Fact>
      </dl>
      {metrics.length > 0 && (
        <>
          <h3 className={styles.section}>Metrics</h3>
          <ValueTable label="Metrics" rows={metrics} />
        </>
      )}
      {training.length > 0 && (
        <>
          <h3 className={styles.section}>Training</h3>
          <ValueTable label="Training" rows={training} />
        </>
      )}
      {scalars.length > 0 && (
        <details className={styles.fold} open={scalars.length <= OPEN_TABLE_ROWS}>
          <summary className={styles.section}>Values saved in the file ({scalars.length})</summary>
          <ValueTable label="Values saved in the file" rows={scalars} />
        </details>
      )}
      {globals.length > 0 && (
        <details className={styles.fold} open={unsafe.length > 0 || globals.length <= OPEN_TABLE_ROWS}>
          <summary className={styles.section}>Pickle imports ({globals.length})</summary>
          <ul className={styles.globals} aria-label="Pickle imports">
            {globals.map((g) => (
              <li key={`${g.module}.${g.name}`} data-unsafe={!g.safe || undefined}>
                <code>
                  {g.module}.{g.name}
                </code>
                {!g.safe && <span className={styles.flag}>unsafe</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function ValueTable({ label, rows }: { label: string; rows: [string, string | number | boolean][] }) {
  return (
    <table className={styles.values} aria-label={label}>
      <tbody>
        {rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td data-kind={typeof value}>{typeof value === 'number' ? formatMetric(value) : String(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
