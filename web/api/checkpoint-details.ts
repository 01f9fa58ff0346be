import type { Checkpoint } from '../../shared/schemas/index.js';

// The server adds `details` to Checkpoint in its own change; until then (and
// for older servers) it may be missing or partial, so it is read field by
// field and whatever is malformed is left out rather than trusted.

export interface PickleGlobal {
  module: string;
  name: string;
  safe: boolean;
}

export type ScalarValue = string | number | boolean;

export interface CheckpointExtras {
  globals: PickleGlobal[];
  dtypes: string[];
  scalars: [string, ScalarValue][];
  /** Lightning and Hugging Face Trainer facts, labelled for people. */
  training: [string, ScalarValue][];
  /** Why the contents could not be read. */
  error?: string;
}

const isScalar = (v: unknown): v is ScalarValue => ['string', 'number', 'boolean'].includes(typeof v);

function labelled(source: unknown, labels: Record<string, string>): [string, ScalarValue][] {
  if (!isRecord(source)) return [];
  return Object.entries(labels).flatMap(([key, label]) => (isScalar(source[key]) ? [[label, source[key]] as [string, ScalarValue]] : []));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkpointExtras(checkpoint: Checkpoint): CheckpointExtras {
  const details = (checkpoint as { details?: unknown }).details;
  if (!isRecord(details)) return { globals: [], dtypes: [], scalars: [], training: [] };
  const globals = Array.isArray(details.globals)
    ? details.globals.filter(
        (g): g is PickleGlobal => isRecord(g) && typeof g.module === 'string' && typeof g.name === 'string' && typeof g.safe === 'boolean',
      )
    : [];
  const dtypes = Array.isArray(details.dtypes) ? details.dtypes.filter((d): d is string => typeof d === 'string') : [];
  const scalars = isRecord(details.scalars)
    ? Object.entries(details.scalars)
        .filter((e): e is [string, ScalarValue] => isScalar(e[1]))
        .sort(([a], [b]) => collator.compare(a, b))
    : [];
  const training = [
    ...labelled(details.lightning, {
      version: 'Lightning version',
      monitor: 'Monitored metric',
      bestModelScore: 'Best model score',
      bestModelPath: 'Best model path',
    }),
    ...labelled(details.trainer, { bestMetric: 'Best metric', bestModelCheckpoint: 'Best checkpoint' }),
  ];
  const error = typeof details.error === 'string' ? details.error : undefined;
  return { globals, dtypes, scalars, training, error };
}

/** Natural order: checkpoint_epoch2 before checkpoint_epoch10. */
export const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The checkpoint's own name: the last path segment. */
export function checkpointName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

/** Checkpoints directly under the root have an empty run; a blank cell would read as missing data. */
export function runLabel(run: string): string {
  return run || '/';
}

export const FORMAT_LABEL: Record<Checkpoint['format'], string> = {
  'torch-zip': 'torch zip',
  'torch-legacy': 'torch legacy',
  safetensors: 'safetensors',
  'hf-folder': 'HF folder',
  unknown: 'unknown',
};

// PRODUCT.md's retention rule: loss/err/px/nme lower is better, acc/f1/auc higher.
const HIGHER_BETTER = /(acc|accuracy|f1|auc|auroc|precision|recall|bleu|rouge|map|iou|dice|psnr|ssim|score|r2|top-?\d)/i;

/** The sort order that puts the best value of a metric first. */
export function bestFirst(metric: string): 'asc' | 'desc' {
  return HIGHER_BETTER.test(metric) && !/(loss|err|px|nme|nll|ppl|perplexity|mse|mae|rmse|fid|lpips)/i.test(metric) ? 'desc' : 'asc';
}
