import { describe, expect, it } from 'vitest';
import { forecast, HOUR_MS, type CheckpointWrite } from './forecast.js';

const GB = 1e9;
const NOW = Date.UTC(2025, 0, 10);
const MIN = 60_000;

interface Run {
  /** Bytes under the root at each minute (oldest first), over `hours`. */
  sizeAt: (minutesAgo: number) => number;
  hours: number;
  /** Free space now; the history assumes the root is all that changes on the disk. */
  availNow: number;
}

function samples({ sizeAt, hours, availNow }: Run) {
  const end = sizeAt(0);
  const out = [];
  for (let m = hours * 60; m >= 0; m--) {
    const size = sizeAt(m);
    out.push({ t: NOW - m * MIN, diskBytes: size, fsAvailBytes: availNow + (end - size) });
  }
  return out;
}

/** One checkpoint every `everyMin` minutes over the last `hours`, the newest `offsetMin` ago. */
function writes(hours: number, everyMin: number, bytes: number, offsetMin = 1): CheckpointWrite[] {
  const out: CheckpointWrite[] = [];
  for (let m = offsetMin; m <= hours * 60; m += everyMin) out.push({ bytes, mtimeMs: NOW - m * MIN });
  return out;
}

describe('forecast', () => {
  it('steady growth: 2 GB every 30 min with 40 GB free fills in ~10 h (warning)', () => {
    const hist = samples({ hours: 12, availNow: 40 * GB, sizeAt: (ago) => 100 * GB - Math.ceil(ago / 30) * 2 * GB });
    const f = forecast(hist, writes(12, 30, 2 * GB), NOW);
    expect(f.status).toBe('warning');
    expect(f.bytesPerHour! / GB).toBeGreaterThan(3.6);
    expect(f.bytesPerHour! / GB).toBeLessThan(4.4);
    const hours = (f.fullAt! - NOW) / HOUR_MS;
    expect(hours).toBeGreaterThan(9);
    expect(hours).toBeLessThan(11.2);
    expect(f.checkpointsLeft).toBeGreaterThanOrEqual(19);
    expect(f.checkpointsLeft).toBeLessThanOrEqual(21);
    // 24 saves, the first 691 min ago: 23 intervals over 691 min.
    expect(f.checkpointsPerHour).toBeCloseTo(2, 1);
    expect(f.bytesPerCheckpoint).toBe(2 * GB);
  });

  it('under 4 h left is critical, over a day ok', () => {
    const grow = (ago: number) => 100 * GB - Math.ceil(ago / 30) * 2 * GB;
    expect(forecast(samples({ hours: 6, availNow: 10 * GB, sizeAt: grow }), writes(6, 30, 2 * GB), NOW).status).toBe('critical');
    expect(forecast(samples({ hours: 6, availNow: 500 * GB, sizeAt: grow }), writes(6, 30, 2 * GB), NOW).status).toBe('ok');
  });

  it('save-and-rotate: many checkpoints written, the root stays level: never critical', () => {
    // Keep 3 checkpoints of 5 GB: the root swings between 15 and 20 GB every 10 minutes.
    const saw = (ago: number) => (ago % 10 < 2 ? 20 : 15) * GB;
    const f = forecast(samples({ hours: 24, availNow: 8 * GB, sizeAt: saw }), writes(24, 10, 5 * GB), NOW);
    // Cadence × size alone would say 30 GB/h and 8 GB free: full in 16 minutes.
    expect(f.status === 'none' || (f.fullAt! - NOW) / HOUR_MS > 24 * 30, JSON.stringify(f)).toBe(true);
  });

  it('nothing written in the window: none', () => {
    const flat = () => 50 * GB;
    // Every write is older than the window: no cadence either.
    expect(forecast(samples({ hours: 24, availNow: 1 * GB, sizeAt: flat }), writes(72, 60, GB, 25 * 60), NOW)).toEqual({ status: 'none' });
    expect(forecast(samples({ hours: 24, availNow: 1 * GB, sizeAt: flat }), [], NOW)).toEqual({ status: 'none' });
  });

  it('a history shorter than two saves falls back to cadence × size', () => {
    const flat = () => 50 * GB;
    const f = forecast(samples({ hours: 0.5, availNow: 40 * GB, sizeAt: flat }), writes(12, 30, 2 * GB), NOW);
    expect(f.status).toBe('warning');
    expect(f.bytesPerHour! / GB).toBeCloseTo(4, 0);
  });

  it('no samples: no free-space figure, none, but the cadence is known', () => {
    expect(forecast([], writes(6, 30, 2 * GB), NOW)).toEqual({ status: 'none', checkpointsPerHour: expect.closeTo(2, 1), bytesPerCheckpoint: 2 * GB });
  });

  it('one write is not a cadence', () => {
    const flat = () => 50 * GB;
    expect(forecast(samples({ hours: 6, availNow: GB, sizeAt: flat }), writes(1, 60, GB), NOW)).toEqual({ status: 'none' });
  });

  it('a big deletion while checkpoints land: no negative rate, none', () => {
    // 1 GB every 30 min, but 200 GB were deleted 6 h ago.
    const size = (ago: number) => 300 * GB - Math.ceil(ago / 30) * GB - (ago > 360 ? -200 * GB : 0);
    const f = forecast(samples({ hours: 24, availNow: 5 * GB, sizeAt: size }), writes(24, 30, GB), NOW);
    expect(f).toEqual({ status: 'none', checkpointsPerHour: expect.closeTo(2, 1), bytesPerCheckpoint: GB });
  });

  it('a run that stopped writing hours ago slows the forecast down', () => {
    const growing = (ago: number) => 100 * GB - Math.ceil(ago / 30) * 2 * GB;
    const levelled = (ago: number) => growing(Math.max(ago, 600));
    const running = forecast(samples({ hours: 12, availNow: 40 * GB, sizeAt: growing }), writes(12, 30, 2 * GB), NOW);
    const stopped = forecast(samples({ hours: 12, availNow: 40 * GB, sizeAt: levelled }), writes(12, 30, 2 * GB, 600), NOW);
    expect(running.status).toBe('warning');
    expect(stopped.status === 'none' || stopped.bytesPerHour! < running.bytesPerHour! / 2, JSON.stringify(stopped)).toBe(true);
  });
});

describe('forecast cadence figures', () => {
  /** What a save-and-rotate run leaves on disk: only the newest `keep` saves, `everyMin` apart. */
  const survivors = (keep: number, everyMin: number, bytes: number) => writes(keep * everyMin, everyMin, bytes).slice(0, keep);

  it('save-and-rotate sawtooth: only the kept saves remain, the cadence and size still come out', () => {
    // Keep 3 saves of 5 GB, one every 10 minutes: the root swings between 15 and 20 GB.
    const saw = (ago: number) => (ago % 10 < 2 ? 20 : 15) * GB;
    const kept = survivors(3, 10, 5 * GB);
    expect(kept.map((w) => (NOW - w.mtimeMs) / MIN)).toEqual([1, 11, 21]);
    const f = forecast(samples({ hours: 24, availNow: 8 * GB, sizeAt: saw }), kept, NOW);
    expect(f.status).toBe('none');
    // Two intervals over the 21 minutes to now: a little under the true 6 per hour.
    expect(f.checkpointsPerHour).toBeGreaterThan(5.5);
    expect(f.checkpointsPerHour).toBeLessThanOrEqual(6);
    expect(f.bytesPerCheckpoint).toBe(5 * GB);
  });

  it('a leaking sawtooth: net growth sets the pace, each save counts for what it adds', () => {
    // Rotation keeps 3 saves of 5 GB, but every save also leaves 0.5 GB behind: +3 GB/h net.
    const leak = (ago: number) => (ago % 10 < 2 ? 20 : 15) * GB - Math.ceil(ago / 10) * 0.5 * GB;
    const f = forecast(samples({ hours: 24, availNow: 60 * GB, sizeAt: leak }), survivors(3, 10, 5 * GB), NOW);
    expect(f.status).toBe('warning');
    expect(f.bytesPerHour! / GB).toBeGreaterThan(2.5);
    expect(f.bytesPerHour! / GB).toBeLessThan(3.5);
    expect(f.bytesPerCheckpoint).toBe(5 * GB);
    // 60 GB at ~0.5 GB per save, not 60 / 5 = 12.
    expect(f.checkpointsLeft).toBeGreaterThan(100);
    expect(f.checkpointsLeft).toBeLessThan(140);
    expect(f.checkpointsLeft).toBeCloseTo(((f.fullAt! - NOW) / HOUR_MS) * f.checkpointsPerHour!, -1);
  });

  it('the size is the median, so one odd save does not move it', () => {
    const ws = writes(6, 30, 2 * GB);
    ws[3] = { ...ws[3], bytes: 40 * GB };
    const grow = (ago: number) => 100 * GB - Math.ceil(ago / 30) * 2 * GB;
    const f = forecast(samples({ hours: 6, availNow: 500 * GB, sizeAt: grow }), ws, NOW);
    expect(f.status).toBe('ok');
    expect(f.bytesPerCheckpoint).toBe(2 * GB);
  });

  it('a slow run: one save every 5 hours reads as 0.2 per hour', () => {
    const grow = (ago: number) => 100 * GB - Math.ceil(ago / 300) * GB;
    const f = forecast(samples({ hours: 24, availNow: 500 * GB, sizeAt: grow }), writes(24, 300, GB, 0.5), NOW);
    expect(f.checkpointsPerHour).toBeCloseTo(0.2, 2);
    expect(f.bytesPerCheckpoint).toBe(GB);
  });

  it('sparse checkpoints (the demo): the disk they take fills the filesystem, not their size', () => {
    const flat = () => 50 * GB;
    // 2 GB apparent each, 4 MB allocated; a history too short to measure growth.
    const sparse = writes(12, 30, 2 * GB).map((w) => ({ ...w, diskBytes: 4e6 }));
    const f = forecast(samples({ hours: 0.5, availNow: 40 * GB, sizeAt: flat }), sparse, NOW);
    expect(f.status).toBe('ok');
    expect(f.bytesPerHour! / 1e6).toBeCloseTo(8, 0);
    // The figure is still the checkpoint's size: what a user recognises.
    expect(f.bytesPerCheckpoint).toBe(2 * GB);
  });
});
