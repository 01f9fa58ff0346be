import type { History } from '../../../shared/schemas/index.js';
import type { HistoryRange } from '../../api/keys.js';
import { formatBytes } from '../../format.js';
import { ForecastBanner } from './ForecastBanner.js';
import { formatInterval, formatPerHour } from './overview-data.js';
import { NotifyToggle } from './NotifyToggle.js';
import styles from './ForecastPanel.module.css';

/**
 * The forecast sentence, the figures it comes from (the server's cadence over the last 24 h), and
 * the "Notify me" toggle. The cadence shows whenever checkpoints are being written, even when the
 * folder does not grow: a save-and-rotate run's pace is worth seeing too.
 */
export function ForecastPanel({ forecast, range, now = Date.now() }: { forecast: History['forecast']; range: HistoryRange; now?: number }) {
  const { checkpointsPerHour: perHour, bytesPerCheckpoint: perCheckpoint } = forecast;
  const growing = forecast.bytesPerHour !== undefined && forecast.bytesPerHour > 0;
  return (
    <section className={styles.panel} aria-labelledby="forecast-title" data-status={forecast.status}>
      <div className={styles.head}>
        <h2 id="forecast-title" className={styles.title}>
          Forecast
        </h2>
        <NotifyToggle status={forecast.status} range={range} />
      </div>
      <ForecastBanner forecast={forecast} now={now} />
      {perHour !== undefined && (
        <dl className={styles.figures}>
          <Figure label="Checkpoints per hour" value={formatPerHour(perHour)} detail={formatInterval(perHour)} />
          <Figure
            label="Bytes per checkpoint"
            value={perCheckpoint !== undefined ? formatBytes(perCheckpoint) : '—'}
            detail="median over the last 24 h"
          />
          {growing && <Figure label="Net growth" value={`${formatBytes(forecast.bytesPerHour!)}/h`} detail="on disk, after deletions" />}
        </dl>
      )}
    </section>
  );
}

function Figure({ label, value, detail }: { label: string; value: string; detail: string }) {
  return (
    <div className={styles.figure}>
      <dt className={styles.label}>{label}</dt>
      <dd className={styles.value}>{value}</dd>
      <dd className={styles.detail}>{detail}</dd>
    </div>
  );
}
