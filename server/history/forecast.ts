import type { HistoryRow } from '../store/store.js';

export const HOUR_MS = 3600_000;
/** How far back checkpoint writes and the root's growth are measured. */
export const FORECAST_WINDOW_MS = 24 * HOUR_MS;
export const CRITICAL_HOURS = 4;
export const WARNING_HOURS = 24;
/** Buckets the window's samples are cut into before fitting their minima. */
const FIT_BUCKETS = 12;

export type ForecastStatus = 'none' | 'ok' | 'warning' | 'critical';

export interface Forecast {
  status: ForecastStatus;
  fullAt?: number;
  checkpointsLeft?: number;
  bytesPerHour?: number;
  /** The write cadence over the window; present whenever there is one, growth or not. */
  checkpointsPerHour?: number;
  /** Median size of the checkpoints written in the window. */
  bytesPerCheckpoint?: number;
}

/** A checkpoint as the forecast sees it: its size and when it was written. */
export interface CheckpointWrite {
  bytes: number;
  mtimeMs: number;
  /** What it takes on disk, when known: a sparse or compressed file fills the disk by less than its size. */
  diskBytes?: number;
}

type Sample = Pick<HistoryRow, 't' | 'diskBytes' | 'fsAvailBytes'>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Least-squares slope of y over x; undefined when x does not vary. */
function slope(points: Array<[number, number]>): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : undefined;
}

/**
 * The root's net growth in bytes per hour over the samples, or undefined when they cannot tell.
 * A save-and-rotate run writes a checkpoint and deletes an old one: the size is a sawtooth whose
 * troughs stay level. Fitting a line through per-bucket minima follows those troughs, and each
 * bucket is made at least two checkpoint intervals wide so every bucket holds a trough.
 */
export function netGrowthPerHour(samples: readonly Sample[], intervalMs: number): number | undefined {
  if (samples.length < 2) return undefined;
  const t0 = samples[0].t;
  const span = samples[samples.length - 1].t - t0;
  // Over less than two checkpoint intervals a flat stretch between saves would read as no growth.
  if (span <= 0 || span < 2 * intervalMs) return undefined;
  const width = Math.max(span / FIT_BUCKETS, 2 * intervalMs);
  // The tail joins the last full bucket: a bucket only minutes wide may hold nothing but a peak.
  const last = Math.max(1, Math.floor(span / width)) - 1;
  const minima = new Map<number, [number, number]>();
  for (const s of samples) {
    const k = Math.min(Math.floor((s.t - t0) / width), last);
    const cur = minima.get(k);
    if (!cur || s.diskBytes < cur[1]) minima.set(k, [s.t, s.diskBytes]);
  }
  // Too few buckets to see troughs: a line through every sample is the best guess left.
  const points = minima.size >= 3 ? [...minima.values()] : samples.map((s): [number, number] => [s.t, s.diskBytes]);
  const perMs = slope(points);
  return perMs === undefined ? undefined : perMs * HOUR_MS;
}

/**
 * When the filesystem fills at the current pace. The pace is the checkpoint cadence times the
 * median checkpoint's size on disk, unless the root's measured net growth is lower (old checkpoints are
 * being deleted as new ones land). `samples` are time-ordered; the last gives the free space now.
 */
export function forecast(samples: readonly Sample[], checkpoints: readonly CheckpointWrite[], now: number, windowMs = FORECAST_WINDOW_MS): Forecast {
  const from = now - windowMs;
  const recent = checkpoints.filter((c) => c.mtimeMs > from && c.mtimeMs <= now);
  // One write is not a cadence.
  if (recent.length < 2) return { status: 'none' };
  // A loop, not Math.min(...): a spread of 100,000 arguments can overflow the stack.
  const first = recent.reduce((m, c) => Math.min(m, c.mtimeMs), Infinity);
  // Measured up to now, not to the last write: a run that stopped writing slows down the forecast.
  const elapsedMs = Math.max(now - first, 60_000);
  const perHour = ((recent.length - 1) / elapsedMs) * HOUR_MS;
  const bytesPerCheckpoint = median(recent.map((c) => c.bytes));
  // The cadence is shown even when nothing can be forecast: a save-and-rotate run writes without growing.
  const cadence = { checkpointsPerHour: Number(perHour.toPrecision(3)), bytesPerCheckpoint: Math.round(bytesPerCheckpoint) };
  const diskPerCheckpoint = median(recent.map((c) => c.diskBytes ?? c.bytes));
  const latest = samples[samples.length - 1];
  // Without a sample there is no free-space figure to divide.
  if (!latest || diskPerCheckpoint <= 0) return { status: 'none', ...cadence };
  const gross = perHour * diskPerCheckpoint;
  const net = netGrowthPerHour(
    samples.filter((s) => s.t > from && s.t <= now),
    HOUR_MS / perHour,
  );
  const bytesPerHour = net === undefined ? gross : Math.min(gross, net);
  if (!(bytesPerHour > 0)) return { status: 'none', ...cadence };

  const avail = latest.fsAvailBytes;
  const hoursLeft = avail / bytesPerHour;
  const status: ForecastStatus = hoursLeft < CRITICAL_HOURS ? 'critical' : hoursLeft < WARNING_HOURS ? 'warning' : 'ok';
  return {
    status,
    fullAt: Math.round(now + hoursLeft * HOUR_MS),
    // Each save adds what rotation does not take back, so count by the net bytes per save.
    checkpointsLeft: Math.floor(avail / (bytesPerHour / perHour)),
    bytesPerHour: Math.round(bytesPerHour),
    ...cadence,
  };
}
