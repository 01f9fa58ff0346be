// Hugging Face Trainer files and run-folder sidecars: trainer_state.json
// (global_step, epoch, best_metric, best_model_checkpoint, log_history),
// config.json, and metrics.json / results.json / eval*.json, all JSON read
// with a size bound and flattened with dots.
import { corrupt } from './errors.js';
import { epochAndStep, metricsOf, numberScalar, type Scalar } from './metric-names.js';

/** Sidecar and Trainer JSON files larger than this are not read. */
export const MAX_JSON_BYTES = 1024 * 1024;
const MAX_KEYS = 500;
const MAX_DEPTH = 4;

/** What trainer_state.json says. */
export interface TrainerState {
  globalStep?: number;
  epoch?: number;
  bestMetric?: number;
  bestModelCheckpoint?: string;
  /** Numeric values of the last log_history entry (eval_loss, loss, learning_rate…), without epoch and step. */
  lastLog: Record<string, number>;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(`${what} is not valid JSON`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Flattens a JSON value's scalars into `out` under `prefix` (nested objects with dots; arrays are skipped). */
export function flattenJson(value: unknown, prefix: string, out: Record<string, Scalar>, depth = 0): void {
  if (Object.keys(out).length >= MAX_KEYS) return;
  if (typeof value === 'number') out[prefix] = numberScalar(value);
  else if (typeof value === 'boolean' || typeof value === 'string') out[prefix] = value;
  else if (isObject(value) && depth < MAX_DEPTH) {
    for (const [k, v] of Object.entries(value)) flattenJson(v, prefix === '' ? k : `${prefix}.${k}`, out, depth + 1);
  }
}

/** Parses trainer_state.json. */
export function parseTrainerState(text: string): TrainerState {
  const json = parseJson(text, 'trainer_state.json');
  if (!isObject(json)) throw corrupt('trainer_state.json is not an object');
  const lastLog: Record<string, number> = {};
  const history = Array.isArray(json.log_history) ? json.log_history : [];
  const last: unknown = history[history.length - 1];
  if (isObject(last)) {
    for (const [k, v] of Object.entries(last)) {
      const n = finite(v);
      if (n !== undefined && k !== 'epoch' && k !== 'step') lastLog[k] = n;
    }
  }
  const state: TrainerState = { lastLog };
  const step = finite(json.global_step);
  const epoch = finite(json.epoch);
  const best = finite(json.best_metric);
  if (step !== undefined) state.globalStep = step;
  if (epoch !== undefined) state.epoch = epoch;
  if (best !== undefined) state.bestMetric = best;
  if (typeof json.best_model_checkpoint === 'string') state.bestModelCheckpoint = json.best_model_checkpoint;
  return state;
}

/** Epoch, step, metrics and scalars from a Trainer state: best_metric and the last log entry's metrics. */
export function trainerStateFields(state: TrainerState): { epoch?: number; step?: number; metrics: Record<string, number>; scalars: Record<string, Scalar> } {
  const scalars: Record<string, Scalar> = {};
  if (state.epoch !== undefined) scalars.epoch = state.epoch;
  if (state.globalStep !== undefined) scalars.global_step = state.globalStep;
  if (state.bestMetric !== undefined) scalars.best_metric = state.bestMetric;
  if (state.bestModelCheckpoint !== undefined) scalars.best_model_checkpoint = state.bestModelCheckpoint;
  for (const [k, v] of Object.entries(state.lastLog)) scalars[k] = v;
  const metrics = metricsOf(scalars);
  return { ...epochAndStep(scalars), metrics, scalars };
}

/** config.json's scalars under `config.` (model_type, hidden_size…). */
export function parseConfigJson(text: string): Record<string, Scalar> {
  const json = parseJson(text, 'config.json');
  const out: Record<string, Scalar> = {};
  if (isObject(json)) flattenJson(json, 'config', out, 1);
  return out;
}

/** Files in a run folder whose numbers are metrics of the run's checkpoints. */
export function isSidecarName(name: string): boolean {
  return /^(metrics|results|all_results|eval[^/]*)\.json$/i.test(name);
}

/**
 * The numeric values of a sidecar file, nested ones flattened with dots.
 * Every number counts (a sidecar exists to hold results) except counters and settings: epoch, step, seed, lr, config.*.
 */
export function parseSidecarMetrics(text: string): Record<string, number> {
  const json = parseJson(text, 'metrics file');
  const flat: Record<string, Scalar> = {};
  if (isObject(json)) flattenJson(json, '', flat);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(flat)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (/(^|\.)(epoch|step|global_step|seed|lr|learning_rate|batch_size)$/i.test(k)) continue;
    if (/^(config|cfg|args|hparams|hyper_parameters)\./i.test(k)) continue;
    out[k] = v;
  }
  return out;
}
