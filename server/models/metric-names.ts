// Which flattened values are metrics, and which are the epoch and the step.
// Shared by the pickle, safetensors, Hugging Face and sidecar readers so
// every format names things the same way.

/** A flattened value: numbers and booleans as they are, strings kept apart by callers that care. */
export type Scalar = number | boolean | string;

// Words that make a value a result of training rather than a setting of it.
const METRIC_WORDS = new Set([
  'loss', 'px', 'nme', 'acc', 'accuracy', 'f1', 'r2', 'auc', 'auroc', 'err', 'error', 'score', 'precision', 'recall',
  'bleu', 'rouge', 'rougel', 'meteor', 'map', 'iou', 'miou', 'dice', 'psnr', 'ssim', 'lpips', 'fid', 'mse', 'mae',
  'rmse', 'perplexity', 'ppl', 'wer', 'cer', 'metric', 'ap', 'ndcg', 'mrr', 'nll', 'bpd', 'ece', 'kl',
]);
// Words that make it a setting even when a metric word is present (loss_weight, early-stopping patience…).
const SETTING_WORDS = new Set(['weight', 'weights', 'coef', 'lambda', 'patience', 'threshold', 'delta', 'factor', 'lr', 'smoothing', 'type', 'fn']);
// Namespaces that hold settings: their numbers are never metrics.
const SETTING_PREFIXES = ['config.', 'cfg.', 'hyper_parameters.', 'hparams.', 'args.', 'opt.', 'params.', 'settings.', 'training_args.'];
// Namespaces that hold results: their numbers are always metrics.
const METRIC_PREFIXES = ['metrics.', 'scores.', 'results.', 'eval.'];

/** Keys whose value is the epoch, most specific first. */
export const EPOCH_KEYS = ['epoch', 'epochs', 'cur_epoch', 'current_epoch'];
/** Keys whose value is the optimisation step, most specific first (DeepSpeed writes `global_steps`). */
export const STEP_KEYS = ['global_step', 'global_steps', 'step', 'iteration', 'iter', 'num_updates'];

// Letters with any trailing digits (f1, acc1, map50), so both "f1" and "acc" can match.
const words = (key: string): string[] => key.toLowerCase().match(/[a-z]+\d*/g) ?? [];

/** True when a flattened key names a metric (val_px, eval_loss, scores.val.px, best_model_score). */
export function isMetricKey(key: string): boolean {
  const k = key.toLowerCase();
  if (EPOCH_KEYS.includes(k) || STEP_KEYS.includes(k)) return false;
  if (SETTING_PREFIXES.some((p) => k.startsWith(p))) return false;
  if (METRIC_PREFIXES.some((p) => k.startsWith(p))) return true;
  const last = k.slice(k.lastIndexOf('.') + 1);
  const w = words(last);
  const bare = w.map((x) => x.replace(/\d+$/, ''));
  // top1/top5 accuracy; a bare "top_k" is a setting.
  const metricWord = w.some((x) => METRIC_WORDS.has(x)) || bare.some((x) => METRIC_WORDS.has(x)) || /(^|[^a-z])top-?\d/.test(last);
  return metricWord && !bare.some((x) => SETTING_WORDS.has(x));
}

/** The finite numeric values among `scalars` whose key names a metric. */
export function metricsOf(scalars: Record<string, Scalar>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(scalars)) {
    if (typeof v === 'number' && Number.isFinite(v) && isMetricKey(k)) out[k] = v;
  }
  return out;
}

function firstNumber(scalars: Record<string, Scalar>, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = scalars[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    // safetensors metadata and some configs keep numbers as strings ("12").
    if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  }
  return undefined;
}

/** Epoch and step from top-level keys, when present. */
export function epochAndStep(scalars: Record<string, Scalar>): { epoch?: number; step?: number } {
  const epoch = firstNumber(scalars, EPOCH_KEYS);
  const step = firstNumber(scalars, STEP_KEYS);
  return { ...(epoch !== undefined ? { epoch } : {}), ...(step !== undefined ? { step } : {}) };
}

/** A number as a scalar: non-finite values become strings ("nan", "inf") because JSON has no word for them. */
export function numberScalar(v: number): Scalar {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}
