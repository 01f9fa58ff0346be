// A reader's CheckpointInfo as the API shows it: the `Checkpoint` object,
// the automatic tags it implies, and the details pane's extras.
import type { Checkpoint, CheckpointDetails } from '../../shared/schemas/entry.js';
import type { CheckpointInfo } from '../models/index.js';
import type { UnitRef } from './units.js';

/** The automatic tags the model readers decide (PRODUCT.md "Tags"). */
export const MODEL_TAGS = ['unsafe-pickle', 'corrupt', 'truncated', 'writing'] as const;

// Pickled values may be huge strings or dicts of thousands of keys: the pane needs a glance, not a dump.
const MAX_SCALARS = 300;
const MAX_STRING = 500;

export function tagsOfInfo(info: CheckpointInfo | undefined): string[] {
  if (info === undefined) return [];
  const tags: string[] = [];
  if (info.unsafe) tags.push('unsafe-pickle');
  const s = info.integrity.status;
  if (s === 'corrupt' || s === 'truncated' || s === 'writing') tags.push(s);
  return tags;
}

/** Count and bytes per model tag over checkpoints, for the summary. */
export function tagTotalsOf(units: ReadonlyArray<{ tags: readonly string[]; bytes: number }>): Record<string, { count: number; bytes: number }> {
  const out: Record<string, { count: number; bytes: number }> = {};
  for (const u of units) {
    for (const t of u.tags) {
      if (!(MODEL_TAGS as readonly string[]).includes(t)) continue;
      const s = (out[t] ??= { count: 0, bytes: 0 });
      s.count++;
      s.bytes += u.bytes;
    }
  }
  return out;
}

// JSON has no NaN or Infinity (a diverged loss is NaN): such values are left out rather than sent as null.
const finite = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

function finiteRecord(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (finite(v)) out[k] = v;
  return out;
}

/** The list item: no details, integrity `unchecked` until the files are read. */
export function toCheckpoint(unit: UnitRef, info: CheckpointInfo | undefined, tags: readonly string[]): Checkpoint {
  const cp: Checkpoint = {
    path: unit.path,
    run: unit.run,
    format: info?.format ?? 'unknown',
    bytes: unit.bytes,
    tags: [...tags],
    protected: false,
    metrics: info ? finiteRecord(info.metrics) : {},
    integrity: info ? { ...info.integrity } : { status: 'unchecked', detail: 'not read yet' },
    references: [],
  };
  if (info === undefined) return cp;
  if (finite(info.epoch)) cp.epoch = info.epoch;
  if (finite(info.step)) cp.step = info.step;
  if (finite(info.tensors) && Number.isInteger(info.tensors) && info.tensors >= 0) cp.tensors = info.tensors;
  if (finite(info.parameters) && info.parameters >= 0) cp.parameters = info.parameters;
  if (finite(info.optimizerBytes) && info.optimizerBytes >= 0) cp.optimizerBytes = info.optimizerBytes;
  return cp;
}

/** The details pane's extras. */
export function detailsOf(info: CheckpointInfo, readAt: number | undefined): CheckpointDetails {
  const scalars: CheckpointDetails['scalars'] = {};
  let n = 0;
  for (const [k, v] of Object.entries(info.scalars)) {
    if (n >= MAX_SCALARS) break;
    if (typeof v === 'number' && !Number.isFinite(v)) scalars[k] = String(v);
    else scalars[k] = typeof v === 'string' && v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v;
    n++;
  }
  const d: CheckpointDetails = {
    globals: info.globals.map((g) => ({ module: g.module, name: g.name, safe: g.safe })),
    dtypes: [...info.dtypes],
    scalars,
  };
  if (info.lightning) {
    const { version, monitor, bestModelScore, bestModelPath } = info.lightning;
    d.lightning = {
      ...(version !== undefined ? { version } : {}),
      ...(monitor !== undefined ? { monitor } : {}),
      ...(finite(bestModelScore) ? { bestModelScore } : {}),
      ...(bestModelPath !== undefined ? { bestModelPath } : {}),
    };
  }
  if (info.trainer) {
    const { globalStep, epoch, bestMetric, bestModelCheckpoint, lastLog } = info.trainer;
    d.trainer = {
      ...(finite(globalStep) ? { globalStep } : {}),
      ...(finite(epoch) ? { epoch } : {}),
      ...(finite(bestMetric) ? { bestMetric } : {}),
      ...(bestModelCheckpoint !== undefined ? { bestModelCheckpoint } : {}),
      lastLog: finiteRecord(lastLog),
    };
  }
  if (info.error !== undefined) d.error = info.error;
  if (readAt !== undefined) d.readAt = readAt;
  return d;
}
