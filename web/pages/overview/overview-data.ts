import type { Checkpoint, History } from '../../../shared/schemas/index.js';
import type { HistoryRange } from '../../api/keys.js';

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

export interface RunTotal {
  run: string;
  bytes: number;
  count: number;
}

/** Runs by the bytes of their checkpoints, largest first. */
export function topRuns(items: Pick<Checkpoint, 'run' | 'bytes'>[], limit: number): RunTotal[] {
  const byRun = new Map<string, RunTotal>();
  for (const c of items) {
    const total = byRun.get(c.run) ?? { run: c.run, bytes: 0, count: 0 };
    total.bytes += c.bytes;
    total.count++;
    byRun.set(c.run, total);
  }
  return [...byRun.values()].sort((a, b) => b.bytes - a.bytes || a.run.localeCompare(b.run)).slice(0, limit);
}

const HOUR_MS = 3_600_000;

/** "about 3 h", "about 40 min", "about 2.5 days": a forecast is rough, so it reads rough. */
export function formatDuration(ms: number): string {
  const hours = ms / HOUR_MS;
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `${hours < 10 ? hours.toFixed(1).replace(/\.0$/, '') : Math.round(hours)} h`;
  const days = hours / 24;
  return `${days < 10 ? days.toFixed(1).replace(/\.0$/, '') : Math.round(days)} days`;
}

export function formatCheckpoints(n: number): string {
  const rounded = Math.max(0, Math.round(n));
  return `${rounded} checkpoint${rounded === 1 ? '' : 's'}`;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
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
