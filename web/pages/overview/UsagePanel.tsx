import type { History } from '../../../shared/schemas/index.js';
import { isApiError } from '../../api/client.js';
import { useHistory } from '../../api/hooks.js';
import type { HistoryRange } from '../../api/keys.js';
import { UsageChart } from './UsageChart.js';
import { formatBytes } from '../../format.js';
import { formatSampleTime } from './overview-data.js';
import { RangePicker } from './RangePicker.js';
import styles from './UsagePanel.module.css';

/** The usage chart with its range choice; shares the history query with the forecast banner. */
export function UsagePanel({
  range,
  onRangeChange,
  fsTotal,
}: {
  range: HistoryRange;
  onRangeChange: (range: HistoryRange) => void;
  fsTotal: number;
}) {
  const history = useHistory(range);
  return (
    <section className={styles.panel} aria-labelledby="usage-title">
      <div className={styles.head}>
        <h2 id="usage-title" className={styles.title}>
          Disk usage over time
        </h2>
        <RangePicker value={range} onChange={onRangeChange} />
      </div>
      {history.data ? (
        <>
          <UsageChart samples={history.data.samples} fsTotal={fsTotal} />
          <LatestSample samples={history.data.samples} fsTotal={fsTotal} />
        </>
      ) : history.isError ? (
        <p className={styles.muted}>
          History unavailable
          {isApiError(history.error, 404) ? ': this server does not record usage history.' : `: ${history.error.message}`}
        </p>
      ) : (
        <p className={styles.muted}>Loading history…</p>
      )}
    </section>
  );
}

/** The chart's newest point in words: exact figures a chart only hints at, and a check that it moves. */
function LatestSample({ samples, fsTotal }: { samples: History['samples']; fsTotal: number }) {
  const last = samples.at(-1);
  if (!last) return null;
  return (
    <p className={styles.latest}>
      Latest sample, {formatSampleTime(last.t)}: checkpoints folder {formatBytes(last.bytes)}
      {fsTotal > 0 && `, filesystem ${formatBytes(Math.max(0, fsTotal - last.fsAvailBytes))} used`}
    </p>
  );
}
