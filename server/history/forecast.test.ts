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
    expect(f.checkpointsLeft).toBe(20);
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
    expect(forecast(samples({ hours: 24, availNow: 1 * GB, sizeAt: flat }), writes(72, 60, GB, 25 * 60), NOW)).toEqual({ status: 'none' });
    expect(forecast(samples({ hours: 24, availNow: 1 * GB, sizeAt: flat }), [], NOW)).toEqual({ status: 'none' });
  });

  it('a history shorter than two saves falls back to cadence × size', () => {
    const flat = () => 50 * GB;
    const f = forecast(samples({ hours: 0.5, availNow: 40 * GB, sizeAt: flat }), writes(12, 30, 2 * GB), NOW);
    expect(f.status).toBe('warning');
    expect(f.bytesPerHour! / GB).toBeCloseTo(4, 0);
  });

  it('no samples: no free-space figure, none', () => {
    expect(forecast([], writes(6, 30, 2 * GB), NOW)).toEqual({ status: 'none' });
  });

  it('a big deletion while checkpoints land: no negative rate, none', () => {
    // 1 GB every 30 min, but 200 GB were deleted 6 h ago.
    const size = (ago: number) => 300 * GB - Math.ceil(ago / 30) * GB - (ago > 360 ? -200 * GB : 0);
    const f = forecast(samples({ hours: 24, availNow: 5 * GB, sizeAt: size }), writes(24, 30, GB), NOW);
    expect(f).toEqual({ status: 'none' });
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
