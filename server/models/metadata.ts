// What a checkpoint's unpickled object says about the model: top-level
// scalars and small nested dicts (flattened with dots), epoch and step,
// metrics, tensor and parameter counts, optimizer state and its bytes,
// Lightning's fields, and the globals the pickle names.
import { epochAndStep, metricsOf, numberScalar, type Scalar } from './metric-names.js';
import type { PickleResult } from './pickle.js';
import { collectTensors, keyName, tensorTotals } from './py-walk.js';
import { PyDict, PyObject, TensorStub, type PyValue } from './py-values.js';

/** A global the pickle names, and whether torch.load(weights_only=True) would accept it. */
export interface GlobalInfo {
  module: string;
  name: string;
  safe: boolean;
}

/** Fields PyTorch Lightning writes. */
export interface LightningInfo {
  version?: string;
  monitor?: string;
  bestModelScore?: number;
  bestModelPath?: string;
}

/** Everything the readers learn from a checkpoint's contents. */
export interface ModelMetadata {
  epoch?: number;
  step?: number;
  metrics: Record<string, number>;
  /** Every flattened top-level value, strings included. */
  scalars: Record<string, Scalar>;
  tensors?: number;
  parameters?: number;
  dtypes: string[];
  optimizer?: { key: string; tensors: number; bytes: number };
  lightning?: LightningInfo;
  globals: GlobalInfo[];
  unsafe: boolean;
}

/** Reads the value of a one-element tensor from its data, when the caller can reach the data. */
export type ScalarReader = (t: TensorStub) => number | undefined;

/** Keys holding the model's weights, most common first (DeepSpeed uses `module`). */
export const MODEL_KEYS = ['model_state_dict', 'state_dict', 'model', 'module', 'model_state', 'net', 'network', 'weights'];
/** Keys holding optimizer state (Lightning keeps a list under `optimizer_states`). */
export const OPTIMIZER_KEYS = ['optimizer_state_dict', 'optimizer_states', 'optimizer', 'optim', 'optimizer_state', 'optim_state', 'opt_state'];
const NOT_FLATTENED = new Set([
  ...MODEL_KEYS, ...OPTIMIZER_KEYS,
  'callbacks', 'loops', 'lr_schedulers', 'lr_scheduler', 'scheduler', 'scheduler_state_dict', 'scaler', 'grad_scaler',
  'rng_state', 'rng_states', 'sampler', 'ema', 'ema_state_dict',
  // An optimizer state_dict saved on its own: per-parameter state, not facts about the run.
  'state', 'param_groups',
]);
const MAX_SCALARS = 256;
const MAX_NESTED_KEYS = 64;
const MAX_FLATTEN_DEPTH = 3;
const MAX_STRING = 500;
const MAX_SCALAR_READS = 64;

class Flattener {
  readonly out: Record<string, Scalar> = {};
  private count = 0;
  private reads = 0;
  constructor(private readonly readScalar?: ScalarReader) {}

  tensorValue(t: TensorStub): number | undefined {
    if (t.numel !== 1 || !this.readScalar || this.reads >= MAX_SCALAR_READS) return undefined;
    this.reads++;
    return this.readScalar(t);
  }

  visit(name: string, v: PyValue, depth: number): void {
    if (this.count >= MAX_SCALARS) return;
    let s: Scalar | undefined;
    if (typeof v === 'number') s = numberScalar(v);
    else if (typeof v === 'bigint') s = Number(v);
    else if (typeof v === 'boolean') s = v;
    else if (typeof v === 'string') s = v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v;
    else if (v instanceof TensorStub) {
      const x = this.tensorValue(v);
      if (x !== undefined) s = numberScalar(x);
    } else if (v instanceof PyDict && depth < MAX_FLATTEN_DEPTH && v.map.size <= MAX_NESTED_KEYS) {
      for (const [k, x] of v.map) {
        const part = keyName(k);
        if (part !== null) this.visit(`${name}.${part}`, x, depth + 1);
      }
    }
    if (s !== undefined) {
      this.out[name] = s;
      this.count++;
    }
  }
}

function lightningOf(root: PyDict, flat: Flattener): LightningInfo | undefined {
  const version = root.get('pytorch-lightning_version') ?? root.get('lightning_version');
  const callbacks = root.get('callbacks');
  if (version === undefined && !(callbacks instanceof PyDict)) return undefined;
  const info: LightningInfo = {};
  if (typeof version === 'string') info.version = version;
  if (callbacks instanceof PyDict) {
    for (const [k, state] of callbacks.map) {
      if (!(keyName(k) ?? '').startsWith('ModelCheckpoint') || !(state instanceof PyDict)) continue;
      const score = state.get('best_model_score');
      const value = typeof score === 'number' ? score : score instanceof TensorStub ? flat.tensorValue(score) : undefined;
      if (value !== undefined && Number.isFinite(value)) info.bestModelScore = value;
      const path = state.get('best_model_path');
      if (typeof path === 'string' && path !== '') info.bestModelPath = path;
      const monitor = state.get('monitor');
      if (typeof monitor === 'string') info.monitor = monitor;
      break;
    }
  }
  return info;
}

/** The part of the object that holds the model's weights, if one can be told apart. */
function modelPart(root: PyValue): PyValue | undefined {
  if (root instanceof PyDict) {
    for (const key of MODEL_KEYS) {
      const v = root.get(key);
      if (v !== undefined && collectTensors(v).length > 0) return v;
    }
    if (root.get('state') !== undefined && root.get('param_groups') !== undefined) return undefined;
    for (const v of root.map.values()) if (v instanceof TensorStub) return root;
    return undefined;
  }
  return root instanceof PyObject ? root : undefined;
}

function optimizerPart(root: PyValue): { key: string; value: PyValue } | undefined {
  if (!(root instanceof PyDict)) return undefined;
  // An optimizer's own state_dict saved alone (Hugging Face's optimizer.pt).
  if (root.get('state') !== undefined && root.get('param_groups') !== undefined) return { key: '', value: root };
  for (const key of OPTIMIZER_KEYS) {
    const v = root.get(key);
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    return { key, value: v };
  }
  return undefined;
}

/** Everything the unpickled object says; `readScalar` lets 0-dim tensors (Lightning's best score) report their value. */
export function extractMetadata(result: Pick<PickleResult, 'value' | 'globals'>, readScalar?: ScalarReader): ModelMetadata {
  const root = result.value;
  const flat = new Flattener(readScalar);
  let lightning: LightningInfo | undefined;
  if (root instanceof PyDict) {
    for (const [k, v] of root.map) {
      const name = keyName(k);
      if (name !== null && !NOT_FLATTENED.has(name)) flat.visit(name, v, 0);
    }
    lightning = lightningOf(root, flat);
  }
  const scalars = flat.out;
  const metrics = metricsOf(scalars);
  if (lightning?.bestModelScore !== undefined && metrics.best_model_score === undefined) metrics.best_model_score = lightning.bestModelScore;

  const model = modelPart(root);
  const opt = optimizerPart(root);
  const skip = new Set(opt && opt.key !== '' ? [opt.key] : []);
  const modelTensors = model !== undefined ? collectTensors(model) : opt?.key === '' ? [] : collectTensors(root, skip);
  const all = collectTensors(root);
  const totals = tensorTotals(modelTensors);
  const optimizer = opt ? { key: opt.key, ...pick(tensorTotals(collectTensors(opt.value))) } : undefined;
  const globals = result.globals.map((g) => ({ module: g.module, name: g.name, safe: g.safe }));
  return {
    ...epochAndStep(scalars),
    metrics,
    scalars,
    ...(modelTensors.length > 0 ? { tensors: totals.tensors, parameters: totals.numel } : {}),
    dtypes: [...new Set(all.map((t) => t.dtype))].sort(),
    ...(optimizer ? { optimizer } : {}),
    ...(lightning ? { lightning } : {}),
    globals,
    unsafe: globals.some((g) => !g.safe),
  };
}

function pick(t: { tensors: number; bytes: number }): { tensors: number; bytes: number } {
  return { tensors: t.tensors, bytes: t.bytes };
}
