import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScanSummary } from '../scan/scan-service.js';
import { Store } from '../store/store.js';
import { HistorySampler } from './sampler.js';

const T0 = Date.UTC(2025, 0, 10);

function fixture(state: ScanSummary['state'] = 'ready') {
  let now = T0;
  let listener: (() => void) | undefined;
  const summary: ScanSummary = { state, entries: 3, files: 2, dirs: 1, bytes: 1000, diskBytes: 4096, errors: 0 };
  const store = Store.memory();
  const sampler = new HistorySampler({
    root: 'unused',
    scan: { summary: () => summary, ready: () => Promise.resolve() },
    store,
    subscribe: (l) => {
      listener = l;
      return () => (listener = undefined);
    },
    now: () => now,
    statfs: () => ({ availBytes: 5e9, totalBytes: 1e10 }),
  });
  // The injected clock and the fake timers move together, so a timer sees the time it fired at.
  const advance = (ms: number) => {
    for (let left = ms; left > 0; left -= 100) {
      const step = Math.min(100, left);
      now += step;
      vi.advanceTimersByTime(step);
    }
  };
  const rows = () => store.historyBetween(0, Number.MAX_SAFE_INTEGER, 1);
  return { sampler, store, summary, change: () => listener?.(), advance, rows, hasListener: () => listener !== undefined };
}

describe('HistorySampler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('records a sample once the scan is ready, with the root totals and the filesystem', async () => {
    const f = fixture();
    f.sampler.start();
    await Promise.resolve();
    expect(f.rows()).toEqual([{ t: T0, bytes: 1000, diskBytes: 4096, fsAvailBytes: 5e9, fsTotalBytes: 1e10 }]);
    f.sampler.close();
    f.store.close();
  });

  it('samples on change at most once per 5 s, the last change caught by a trailing sample', async () => {
    const f = fixture();
    f.sampler.start();
    await Promise.resolve();
    for (let i = 0; i < 10; i++) {
      f.summary.bytes += 100;
      f.change();
      f.advance(400);
    }
    // 4 s of changes: only the first sample so far; the trailing one lands at T0 + 5 s.
    expect(f.rows().map((r) => r.t)).toEqual([T0]);
    f.advance(1000);
    expect(f.rows().map((r) => [r.t, r.bytes])).toEqual([
      [T0, 1000],
      [T0 + 5000, 2000],
    ]);
    f.advance(10_000);
    f.change();
    // Long after the last sample a change records at once.
    expect(f.rows().map((r) => r.t)).toEqual([T0, T0 + 5000, T0 + 15_000]);
    f.sampler.close();
    f.store.close();
  });

  it('samples once a minute while ready, and stops on close', async () => {
    const f = fixture();
    f.sampler.start();
    await Promise.resolve();
    f.advance(3 * 60_000);
    expect(f.rows()).toHaveLength(4);
    f.sampler.close();
    expect(f.hasListener()).toBe(false);
    f.advance(3 * 60_000);
    f.change();
    expect(f.rows()).toHaveLength(4);
    f.store.close();
  });

  it('records nothing while the scan is still walking', async () => {
    const f = fixture('scanning');
    f.sampler.start();
    await Promise.resolve();
    f.advance(2 * 60_000);
    expect(f.rows()).toEqual([]);
    f.summary.state = 'ready';
    f.advance(60_000);
    expect(f.rows()).toHaveLength(1);
    f.sampler.close();
    f.store.close();
  });

  it('queries a range downsampled to at most ~500 points, keeping sawtooth peaks and troughs', () => {
    const f = fixture();
    // A week of one sample a minute; every 10th minute is a peak.
    for (let m = 0; m < 7 * 24 * 60; m++) {
      f.store.addHistory({ t: T0 + m * 60_000, bytes: m % 10 === 0 ? 2000 : 1000, diskBytes: 0, fsAvailBytes: 0, fsTotalBytes: 0 });
    }
    const end = T0 + 7 * 24 * 3600_000 - 60_000;
    const week = f.sampler.query('7d', end);
    expect(week.length).toBeLessThanOrEqual(501);
    expect(week.length).toBeGreaterThan(400);
    expect(new Set(week.map((r) => r.bytes))).toEqual(new Set([1000, 2000]));
    expect(week.at(-1)!.t).toBe(end);
    expect(f.sampler.query('all', end).length).toBeLessThanOrEqual(501);
    const hour = f.sampler.query('1h', end);
    expect(hour.length).toBe(61);
    expect(hour[0].t).toBe(end - 3600_000);
    f.store.close();
  });
});
