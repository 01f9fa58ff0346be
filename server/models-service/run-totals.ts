// Checkpoints summed per run, for panels that rank runs: on a tree of 200,000
// checkpoints the sums are a few milliseconds here, against tens of megabytes
// of checkpoint list for a browser to download and add up.
import { naturalCompare } from '../../shared/natural-sort.js';
import type { RunTotal, RunTotals } from '../../shared/schemas/api.js';

/**
 * The `limit` runs whose checkpoints weigh most, largest first (ties in natural
 * run order), and how many runs there are in all. A checkpoint counts with the
 * same `bytes` as in GET /api/checkpoints.
 */
export function topRunTotals(units: Iterable<{ run: string; bytes: number }>, limit: number): RunTotals {
  const byRun = new Map<string, RunTotal>();
  for (const { run, bytes } of units) {
    const total = byRun.get(run);
    if (total) {
      total.bytes += bytes;
      total.count++;
    } else {
      byRun.set(run, { run, bytes, count: 1 });
    }
  }
  // Only the first `limit` are kept in order: a tree where every checkpoint has a folder of its
  // own has as many runs as checkpoints, and the panel wants ten of them.
  const top: RunTotal[] = [];
  const keep = Math.max(0, limit);
  for (const total of byRun.values()) {
    if (top.length === keep && (keep === 0 || heavier(top[keep - 1], total))) continue;
    let i = top.length;
    while (i > 0 && heavier(total, top[i - 1])) i--;
    top.splice(i, 0, total);
    if (top.length > keep) top.pop();
  }
  return { total: byRun.size, items: top };
}

/** Whether `a` ranks before `b`: more bytes, or as many and first in natural order. */
function heavier(a: RunTotal, b: RunTotal): boolean {
  return a.bytes > b.bytes || (a.bytes === b.bytes && naturalCompare(a.run, b.run) < 0);
}
