import type { History } from '../../../shared/schemas/index.js';
import type { HistoryRange } from '../../api/keys.js';
import { formatCount } from '../../format.js';

export const RANGES: { value: HistoryRange; label: string; name: string }[] = [
  { value: '1h', label: '1 h', name: 'Last hour' },
  { value: '24h', label: '24 h', name: 'Last 24 hours' },
  { value: '7d', label: '7 d', name: 'Last 7 days' },
  { value: 'all', label: 'all', name: 'All history' },
];

export interface UsagePoint {
  t: number;
  root: number;
  fsUsed: number;
}

/**
 * Samples carry what is free, not what is used; the total comes from the summary,
 * which is fine because a filesystem's size does not change under a training run.
 */
export function usagePoints(samples: History['samples'], fsTotal: number): UsagePoint[] {
  return samples.map((s) => ({ t: s.t, root: s.bytes, fsUsed: Math.max(0, fsTotal - s.fsAvailBytes) }));
}

const HOUR_MS = 3_600_000;
/** Beyond this a forecast only says "more than a year": nobody plans by day 1,422. */
export const YEAR_MS = 365 * 24 * HOUR_MS;

/** "3 h", "40 min", "2.5 days", "4 months": a forecast is rough, so it reads rough. */
export function formatDuration(ms: number): string {
  const hours = ms / HOUR_MS;
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `${hours < 10 ? hours.toFixed(1).replace(/\.0$/, '') : Math.round(hours)} h`;
  const days = hours / 24;
  if (days >= 60) return `${Math.round(days / 30.4)} months`;
  return `${days < 10 ? days.toFixed(1).replace(/\.0$/, '') : Math.round(days)} days`;
}

export function formatCheckpoints(n: number): string {
  const rounded = Math.max(0, Math.round(n));
  return `${formatCount(rounded)} checkpoint${rounded === 1 ? '' : 's'}`;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const secondClock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayClock = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** X-axis ticks: clock time within a day, the weekday within a week, the date beyond. */
export function timeTickFormatter(spanMs: number): (t: number) => string {
  // A server started minutes ago: minute ticks would all read the same.
  if (spanMs <= 15 * 60_000) return (t) => secondClock.format(t);
  if (spanMs <= 26 * HOUR_MS) return (t) => clock.format(t);
  if (spanMs <= 8 * 24 * HOUR_MS) return (t) => dayClock.format(t);
  return (t) => day.format(t);
}

export function formatSampleTime(t: number): string {
  return full.format(t);
}

const NICE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500];

/**
 * Y-axis ticks on round binary sizes (0, 50 GiB, 100 GiB …): Recharts would pick
 * round decimal byte counts, which print as 55.9 GiB.
 */
export function byteTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0];
  let unit = 1;
  while (max / unit >= 1024) unit *= 1024;
  const raw = max / unit / target;
  const step = (NICE_STEPS.find((s) => s >= raw) ?? 1000) * unit;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}

/** Checkpoints per hour as a figure: "12", "2.5", "0.25"; small rates keep two significant digits. */
export function formatPerHour(n: number): string {
  if (n >= 10) return String(Math.round(n));
  if (n >= 1) return n.toFixed(1).replace(/\.0$/, '');
  return String(Number(n.toPrecision(2)));
}

/** The time between two saves at `perHour`: "one every 12 s", "one every 15 min", "one an hour". */
export function formatInterval(perHour: number): string {
  if (!(perHour > 0)) return '';
  const ms = HOUR_MS / perHour;
  if (ms < 59_500) return `one every ${Math.max(1, Math.round(ms / 1000))} s`;
  const every = formatDuration(ms);
  return every === '1 min' ? 'one a minute' : every === '1 h' ? 'one an hour' : `one every ${every}`;
}

/** The forecast as one sentence, for a notification (the banner says the same with emphasis). */
export function forecastMessage(forecast: History['forecast'], now: number): { title: string; body: string } {
  const title = forecast.status === 'critical' ? 'Disk almost full' : 'Disk filling up';
  const left = forecast.fullAt !== undefined ? formatDuration(Math.max(0, forecast.fullAt - now)) : 'a few hours';
  const checkpoints = forecast.checkpointsLeft !== undefined ? ` (about ${formatCheckpoints(forecast.checkpointsLeft)})` : '';
  return { title: `ckptdash: ${title.toLowerCase()}`, body: `The filesystem will be full in about ${left}${checkpoints} at the current rate.` };
}
