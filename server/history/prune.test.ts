import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScanSummary } from '../scan/scan-service.js';
import { Store, type HistoryRow } from '../store/store.js';
import { pruneHistory } from './prune.js';
import { HistorySampler } from './sampler.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// On an hour boundary, so bucket edges are easy to reason about.
const T0 = Date.UTC(2025, 0, 10);

/** A sawtooth: every 10th minute a save is in place (2000 bytes), otherwise 1000. */
const sawtooth = (t: number) => (Math.floor(t / MIN) % 10 === 0 ? 2000 : 1000);

function fill(store: Store, from: number, to: number, stepMs: number, bytes = sawtooth): void {
  store.db.transaction(() => {
    for (let t = from; t <= to; t += stepMs) store.addHistory({ t, bytes: bytes(t), diskBytes: 0, fsAvailBytes: 0, fsTotalBytes: 0 });
  })();
}

const all = (store: Store): HistoryRow[] => store.historyBetween(0, Number.MAX_SAFE_INTEGER, 1);
const between = (rows: HistoryRow[], from: number, to: number) => rows.filter((r) => r.t >= from && r.t < to);

/** Largest count of rows sharing one `bucketMs` bucket (epoch-aligned). */
function maxPerBucket(rows: HistoryRow[], bucketMs: number): number {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(Math.floor(r.t / bucketMs), (counts.get(Math.floor(r.t / bucketMs)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

describe('pruneHistory', () => {
  it('keeps the last day whole, two per minute to a week, two per hour beyond, with peaks and troughs', () => {
    const store = Store.memory();
    // Ten days of one sample a minute, and the last two days also every 5 s (a busy training run).
    fill(store, T0 - 10 * DAY, T0, MIN);
    fill(store, T0 - 2 * DAY, T0, 5000);
    const before = all(store);
    const removed = pruneHistory(store, T0);
    const rows = all(store);
    expect(removed).toBe(before.length - rows.length);

    expect(between(rows, T0 - DAY, T0 + 1)).toEqual(between(before, T0 - DAY, T0 + 1));
    const week = between(rows, T0 - 7 * DAY, T0 - DAY);
    expect(maxPerBucket(week, MIN)).toBeLessThanOrEqual(2);
    // The 5 s stretch a day or two back is thinned; the once-a-minute rest is untouched.
    expect(between(week, T0 - 2 * DAY, T0 - DAY).length).toBeLessThanOrEqual(2 * 24 * 60);
    expect(between(week, T0 - 7 * DAY, T0 - 2 * DAY)).toEqual(between(before, T0 - 7 * DAY, T0 - 2 * DAY));
    const old = between(rows, 0, T0 - 7 * DAY);
    expect(maxPerBucket(old, HOUR)).toBe(2);
    expect(old.length).toBe(3 * 24 * 2);
    // Each hour keeps one peak and one trough: the "all" chart still draws the sawtooth.
    for (let h = T0 - 10 * DAY; h < T0 - 7 * DAY; h += HOUR) {
      expect(new Set(between(old, h, h + HOUR).map((r) => r.bytes))).toEqual(new Set([1000, 2000]));
    }
    // Pruning again changes nothing.
    expect(pruneHistory(store, T0)).toBe(0);
    store.close();
  });

  it('beyond 90 days keeps two a day, and a year stays small', () => {
    const store = Store.memory();
    fill(store, T0 - 365 * DAY, T0, 10 * MIN);
    pruneHistory(store, T0);
    const rows = all(store);
    expect(maxPerBucket(between(rows, 0, T0 - 90 * DAY), DAY)).toBe(2);
    expect(maxPerBucket(between(rows, T0 - 90 * DAY, T0 - 7 * DAY), HOUR)).toBe(2);
    expect(rows.length).toBeLessThan(2 * 275 + 2 * 24 * 83 + 6 * 24 * 6 + 24 * 6 + 10);
    store.close();
  });

  it('with `since`, touches only what aged past an edge since then, and ends where a full prune would', () => {
    const a = Store.memory();
    const b = Store.memory();
    for (const s of [a, b]) fill(s, T0 - 9 * DAY, T0 + 3 * HOUR, MIN);
    pruneHistory(a, T0);
    for (let t = T0 + HOUR; t <= T0 + 3 * HOUR; t += HOUR) pruneHistory(a, t, t - HOUR);
    pruneHistory(b, T0 + 3 * HOUR);
    expect(all(a)).toEqual(all(b));
    a.close();
    b.close();
  });
});

describe('HistorySampler pruning', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prunes when the scan is ready, then once an hour as the week boundary moves', async () => {
    let now = T0;
    const store = Store.memory();
    const summary: ScanSummary = { state: 'ready', entries: 3, files: 2, dirs: 1, bytes: 1000, diskBytes: 4096, errors: 0 };
    fill(store, T0 - 9 * DAY, T0 - MIN, MIN);
    const sampler = new HistorySampler({
      root: 'unused',
      scan: { summary: () => summary, ready: () => Promise.resolve() },
      store,
      now: () => now,
      statfs: () => ({ availBytes: 5e9, totalBytes: 1e10 }),
    });
    // The injected clock and the fake timers move together, as in sampler.test.ts.
    const advance = (ms: number) => {
      for (let left = ms; left > 0; left -= 1000) {
        const step = Math.min(1000, left);
        now += step;
        vi.advanceTimersByTime(step);
      }
    };
    const weekOld = () => between(all(store), 0, now - 7 * DAY);

    sampler.start();
    await Promise.resolve();
    expect(weekOld()).toHaveLength(2 * 24 * 2);
    expect(maxPerBucket(weekOld(), HOUR)).toBe(2);

    // Half an hour on: samples that turned a week old wait for the next hourly prune.
    advance(30 * MIN);
    expect(weekOld().length).toBe(2 * 24 * 2 + 30);
    advance(31 * MIN);
    expect(maxPerBucket(weekOld(), HOUR)).toBe(2);
    expect(weekOld().length).toBeLessThanOrEqual(2 * 24 * 2 + 2 + 2);
    // The last week is whole: the old rows plus one sample a minute from the sampler.
    expect(between(all(store), now - 7 * DAY, now + 1).length).toBeGreaterThanOrEqual(7 * 24 * 60 - 1);

    sampler.close();
    store.close();
  });
});
