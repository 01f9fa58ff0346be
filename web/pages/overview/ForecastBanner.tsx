import type { History } from '../../../shared/schemas/index.js';
import { formatBytes } from '../../format.js';
import { formatCheckpoints, formatDuration } from './overview-data.js';
import styles from './ForecastBanner.module.css';

/**
 * When the filesystem fills up at the current checkpoint cadence. Only warning
 * and critical interrupt (role alert / status); the rest is a quiet line.
 */
export function ForecastBanner({ forecast, now = Date.now() }: { forecast: History['forecast']; now?: number }) {
  const rate = forecast.bytesPerHour ? ` (${formatBytes(forecast.bytesPerHour)}/h)` : '';
  const left = forecast.fullAt !== undefined ? formatDuration(Math.max(0, forecast.fullAt - now)) : null;

  if (forecast.status === 'warning' || forecast.status === 'critical') {
    const critical = forecast.status === 'critical';
    const checkpoints = forecast.checkpointsLeft !== undefined ? ` (about ${formatCheckpoints(forecast.checkpointsLeft)})` : '';
    return (
      <div className={critical ? styles.critical : styles.warning} role={critical ? 'alert' : 'status'}>
        <strong>{critical ? 'Disk almost full:' : 'Disk filling up:'}</strong> the filesystem will be full in about{' '}
        {left ?? 'a few hours'}
        {checkpoints} at the current rate{rate}.
      </div>
    );
  }
  if (forecast.status === 'ok') {
    return (
      <p className={styles.quiet}>
        {left ? `About ${left} of space at the current rate${rate}.` : `Space is not running out at the current rate${rate}.`}
      </p>
    );
  }
  return <p className={styles.quiet}>No growth: the checkpoints folder is not getting bigger.</p>;
}
