import { statfsSync } from 'node:fs';
import type { ScanSummary } from '../scan/scan-service.js';
import type { HistoryRow, Store } from '../store/store.js';
import { pruneHistory } from './prune.js';

export type HistoryRange = '1h' | '24h' | '7d' | 'all';

export const RANGE_MS: Record<Exclude<HistoryRange, 'all'>, number> = {
  '1h': 3600_000,
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
};
/** Charts need no more: each bucket gives its lowest and highest sample, so ~500 points. */
export const MAX_BUCKETS = 250;
export const MIN_INTERVAL_MS = 5_000;
export const PERIOD_MS = 60_000;
/** How often old samples are thinned (see prune.ts); the first time once the scan is ready. */
export const PRUNE_EVERY_MS = 3600_000;

export interface FsFigures {
  availBytes: number;
  totalBytes: number;
}

/** The filesystem holding `path`; zeros when statfs fails (exotic mounts) so sampling goes on. */
export function statfsFigures(path: string): FsFigures {
  try {
    const s = statfsSync(path);
    return { totalBytes: s.blocks * s.bsize, availBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: 0, availBytes: 0 };
  }
}

export interface HistorySamplerOptions {
  root: string;
  scan: { summary(): ScanSummary; ready(): Promise<void> };
  store: Store;
  /** Calls `listener` on every change under the root; returns the unsubscribe. */
  subscribe?: (listener: () => void) => () => void;
  now?: () => number;
  statfs?: (root: string) => FsFigures;
  minIntervalMs?: number;
  periodMs?: number;
  pruneEveryMs?: number;
}

/**
 * Records the root's size and its filesystem's free space into the store: after changes (at most
 * one sample per `minIntervalMs`, the last change always caught by a trailing sample) and once a
 * period, so a quiet disk filling from elsewhere still shows.
 */
export class HistorySampler {
  readonly now: () => number;
  private readonly statfs: (root: string) => FsFigures;
  private readonly minIntervalMs: number;
  private readonly periodMs: number;
  private readonly pruneEveryMs: number;
  private lastT = -Infinity;
  /** When the history was last pruned; undefined until the first prune, which looks at every row. */
  private prunedAt?: number;
  private trailing?: NodeJS.Timeout;
  private ticker?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private closed = false;

  constructor(private readonly o: HistorySamplerOptions) {
    this.now = o.now ?? Date.now;
    this.statfs = o.statfs ?? statfsFigures;
    this.minIntervalMs = o.minIntervalMs ?? MIN_INTERVAL_MS;
    this.periodMs = o.periodMs ?? PERIOD_MS;
    this.pruneEveryMs = o.pruneEveryMs ?? PRUNE_EVERY_MS;
  }

  start(): void {
    if (this.closed || this.ticker) return;
    this.unsubscribe = this.o.subscribe?.(() => this.changed());
    this.ticker = setInterval(() => {
      this.changed();
      this.prune();
    }, this.periodMs);
    // A dashboard must not keep a finishing process (or a test run) alive for its clock.
    this.ticker.unref();
    this.o.scan.ready().then(
      () => {
        this.changed();
        this.prune();
      },
      () => {
        // A scan that failed or was closed has no totals worth recording.
      },
    );
  }

  /** Something changed (or a period passed): sample now, or once the minimum interval is over. */
  changed(): void {
    if (this.closed || this.trailing) return;
    const wait = this.lastT + this.minIntervalMs - this.now();
    if (wait <= 0) {
      this.sample();
      return;
    }
    this.trailing = setTimeout(() => {
      this.trailing = undefined;
      this.sample();
    }, wait);
    this.trailing.unref();
  }

  /** Records one sample if the scan has totals; returns it (tests, the first sample). */
  sample(): HistoryRow | undefined {
    if (this.closed) return undefined;
    const s = this.o.scan.summary();
    // Totals of a scan still walking would draw a ramp that is not growth.
    if (s.state !== 'ready') return undefined;
    const fs = this.statfs(this.o.root);
    const row: HistoryRow = { t: this.now(), bytes: s.bytes, diskBytes: s.diskBytes, fsAvailBytes: fs.availBytes, fsTotalBytes: fs.totalBytes };
    this.lastT = row.t;
    try {
      this.o.store.addHistory(row);
    } catch {
      // A full or failing state disk must not take the dashboard down; the sample is lost.
      return undefined;
    }
    return row;
  }

  /** Thins old samples when the last prune is `pruneEveryMs` old (or there was none yet). */
  prune(): void {
    const now = this.now();
    if (this.closed || (this.prunedAt !== undefined && now - this.prunedAt < this.pruneEveryMs)) return;
    try {
      pruneHistory(this.o.store, now, this.prunedAt);
      this.prunedAt = now;
    } catch {
      // A busy or failing state disk: the table only grows a little longer; the next period retries.
    }
  }

  /** Samples of a range ending now, downsampled to at most ~2 × MAX_BUCKETS points. */
  query(range: HistoryRange, to = this.now()): HistoryRow[] {
    const from = range === 'all' ? this.o.store.historyStart() : to - RANGE_MS[range];
    if (from === undefined || from > to) return [];
    return this.o.store.historyBetween(from, to, Math.ceil((to - from + 1) / MAX_BUCKETS));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.trailing);
    clearInterval(this.ticker);
    this.unsubscribe?.();
  }
}
