// Retention of intermediate checkpoints (PRODUCT.md "4. Cleanup plan"): keep
// the last N and the best K by a metric; a run without a final model keeps its
// newest. Pure.
import type { RunView, UnitView } from '../tags/classify.js';

/** Retention settings; defaults keep nothing (the seed deleted every intermediate). */
export interface Retention {
  keepLast: number;
  keepBest: number;
  /** The metric best K ranks by; inferred from the run's checkpoints when absent. */
  metric?: string;
  /** Whether lower or higher is better; inferred from the metric's name when absent. */
  direction?: 'min' | 'max';
}

export const DEFAULT_RETENTION: Retention = { keepLast: 0, keepBest: 0 };

const LOWER = /(loss|err|px|nme|mse|mae|rmse|wer|cer|perplexity|ppl)/i;
const HIGHER = /(acc|f1|auc|map|bleu|rouge|precision|recall|iou|dice|score)/i;

/** Lower-is-better unless the name says otherwise (PRODUCT.md: loss/err/px/nme lower, acc/f1/auc higher). */
export function metricDirection(name: string): 'min' | 'max' {
  if (LOWER.test(name)) return 'min';
  return HIGHER.test(name) ? 'max' : 'min';
}

/** The metric to rank a run's checkpoints by: validation losses and errors first. */
export function inferMetric(units: readonly UnitView[]): string | undefined {
  const counts = new Map<string, number>();
  for (const u of units) for (const k of Object.keys(u.info?.metrics ?? {})) counts.set(k, (counts.get(k) ?? 0) + 1);
  const names = [...counts.keys()];
  const rank = (n: string) => (/^val/i.test(n) ? 0 : 2) + (LOWER.test(n) || HIGHER.test(n) ? 0 : 1);
  names.sort((a, b) => rank(a) - rank(b) || (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a.localeCompare(b));
  return names[0];
}

/** A kept intermediate and the rule that kept it. */
export interface Retained {
  unit: UnitView;
  rule: string;
}

/** The run's intermediates, oldest first, split into those retention keeps and the rest. */
export function applyRetention(run: RunView, r: Retention): { keep: Retained[]; drop: UnitView[] } {
  const inter = run.units
    .filter((u) => u.own?.category === 'intermediate')
    .sort((a, b) => (a.own?.n ?? 0) - (b.own?.n ?? 0) || a.ref.mtimeMs - b.ref.mtimeMs);
  const keep = new Map<string, Retained>();
  if (r.keepLast > 0) for (const u of inter.slice(-r.keepLast)) keep.set(u.ref.path, { unit: u, rule: `retention: keep last ${r.keepLast}` });
  if (r.keepBest > 0) {
    const metric = r.metric ?? inferMetric(inter);
    if (metric !== undefined) {
      const dir = r.direction ?? metricDirection(metric);
      const scored = inter.filter((u) => Number.isFinite(u.info?.metrics[metric]));
      // Ties go to the later checkpoint: it trained longer for the same score.
      scored.sort((a, b) => (dir === 'min' ? 1 : -1) * (a.info!.metrics[metric] - b.info!.metrics[metric]) || (b.own?.n ?? 0) - (a.own?.n ?? 0));
      for (const u of scored.slice(0, r.keepBest)) {
        if (!keep.has(u.ref.path)) keep.set(u.ref.path, { unit: u, rule: `retention: keep best ${r.keepBest} by ${metric} (${dir === 'min' ? 'lower' : 'higher'} is better)` });
      }
    }
  }
  if (run.final === undefined && inter.length > 0) {
    const newest = inter[inter.length - 1];
    if (!keep.has(newest.ref.path)) keep.set(newest.ref.path, { unit: newest, rule: 'the newest checkpoint of a run without a final model is kept' });
  }
  return { keep: [...keep.values()], drop: inter.filter((u) => !keep.has(u.ref.path)) };
}
