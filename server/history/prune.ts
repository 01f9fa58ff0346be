import type { Store } from '../store/store.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Past `olderThanMs`, samples are thinned to the lowest and highest root size per `bucketMs`. */
export interface PruneTier {
  olderThanMs: number;
  bucketMs: number;
}

/**
 * Every sample for a day (a training run's tree changes can bring one every 5 s; the 1 h chart
 * shows them), at most two per minute for the week the 24 h and 7 d charts look at, then two per
 * hour, then two per day: a year stays under 40,000 rows instead of growing by up to 17,000 a day.
 * Two rather than one per bucket, so the coarser charts still show a save-and-rotate sawtooth's
 * peaks and troughs (the same lowest and highest the chart queries keep).
 */
export const PRUNE_TIERS: readonly PruneTier[] = [
  { olderThanMs: DAY_MS, bucketMs: MINUTE_MS },
  { olderThanMs: 7 * DAY_MS, bucketMs: HOUR_MS },
  { olderThanMs: 90 * DAY_MS, bucketMs: DAY_MS },
];

/**
 * Thins the history table by `tiers`; returns how many samples were removed. Buckets are aligned
 * to the epoch, not to `now`, so pruning again later keeps the same samples (idempotent), and a
 * bucket cut by a tier's edge is simply thinned again as more of it ages past the edge.
 * `since`: samples older than this were already pruned by an earlier call (their bucket is
 * revisited, nothing before it), so an hourly prune touches about an hour of rows.
 */
export function pruneHistory(store: Pick<Store, 'db'>, now: number, since = 0, tiers: readonly PruneTier[] = PRUNE_TIERS): number {
  let removed = 0;
  const thin = store.db.prepare(
    `DELETE FROM history WHERE t_ms >= @from AND t_ms < @to AND t_ms NOT IN (
       SELECT t_ms FROM (
         SELECT t_ms,
           ROW_NUMBER() OVER (PARTITION BY CAST(t_ms / @w AS INTEGER) ORDER BY bytes ASC, t_ms ASC) AS lo,
           ROW_NUMBER() OVER (PARTITION BY CAST(t_ms / @w AS INTEGER) ORDER BY bytes DESC, t_ms DESC) AS hi
         FROM history WHERE t_ms >= @from AND t_ms < @to)
       WHERE lo = 1 OR hi = 1)`,
  );
  store.db.transaction(() => {
    for (const { olderThanMs, bucketMs } of tiers) {
      const w = Math.max(1, Math.floor(bucketMs));
      const to = now - olderThanMs;
      // From the start of the bucket the previous edge fell in: that bucket may have gained rows since.
      const from = Math.max(0, Math.floor((since - olderThanMs) / w) * w);
      if (to > from) removed += thin.run({ from, to, w }).changes;
    }
  })();
  return removed;
}
