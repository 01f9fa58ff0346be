import type { History } from '../../../shared/schemas/index.js';
import { formatBytes } from '../../format.js';
import { formatCheckpoints, formatDuration, YEAR_MS } from './overview-data.js';
import styles from './ForecastBanner.module.css';

/**
 * When the filesystem fills up at the current checkpoint cadence. Only warning
 * and critical interrupt (role alert / status); the rest is a quiet line.
 */
export function ForecastBanner({ forecast, now = Date.now() }: { forecast: History['forecast']; now?: number }) {
  const rate = forecast.bytesPerHour ? ` (${formatBytes(forecast.bytesPerHour)}/h)` : '';
  const left = forecast.fullAt !== undefined ? formatDuration(Math.max(0, forecast.fullAt - now)) : null;
  const checkpoints = forecast.checkpointsLeft !== undefined ? ` (about ${formatCheckpoints(forecast.checkpointsLeft)})` : '';

  if (forecast.status === 'warning' || forecast.status === 'critical') {
    const critical = forecast.status === 'critical';
    return (
      <div className={critical ? styles.critical : styles.warning} role={critical ? 'alert' : 'status'}>
        <strong>{critical ? 'Disk almost full:' : 'Disk filling up:'}</strong> the filesystem will be full in about{' '}
        {left ?? 'a few hours'}
        {checkpoints} at the current rate{rate}.
      </div>
    );
  }
  if (forecast.status === 'ok') {
    const distant = forecast.fullAt === undefined || forecast.fullAt - now > YEAR_MS;
    return (
      <p className={styles.quiet}>
        {distant
          ? `Space is not running out: more than a year left at the current rate${rate}.`
          : `About ${left} of space${checkpoints} at the current rate${rate}.`}
      </p>
    );
  }
  if (forecast.checkpointsPerHour !== undefined) {
    return (
      <p className={styles.quiet}>
        Not filling up: checkpoints are being written, but the folder is not getting bigger (older ones are being
        deleted).
      </p>
    );
  }
  return <p className={styles.quiet}>No checkpoints written in the last 24 hours: nothing to forecast.</p>;
}
