// The one result every model reader returns, and how the results of a
// folder's or shard set's parts combine into one.
import type { ModelFormat } from './detect.js';
import type { Integrity } from './integrity.js';
import type { GlobalInfo, LightningInfo } from './metadata.js';
import type { Scalar } from './metric-names.js';
import type { TrainerState } from './hf.js';

/** What the dashboard knows about one checkpoint (file, folder or shard set). */
export interface CheckpointInfo {
  format: ModelFormat;
  epoch?: number;
  step?: number;
  metrics: Record<string, number>;
  tensors?: number;
  parameters?: number;
  /** Sum of the optimizer state's tensor bytes (numel × dtype size). */
  optimizerBytes?: number;
  dtypes: string[];
  /** Every flattened top-level value, strings included. */
  scalars: Record<string, Scalar>;
  globals: GlobalInfo[];
  /** True when the pickle names a global torch.load(weights_only=True) refuses. */
  unsafe: boolean;
  integrity: Integrity;
  lightning?: LightningInfo;
  /** trainer_state.json of a Hugging Face folder. */
  trainer?: TrainerState;
  /** Why the contents could not be read (the integrity detail says what is wrong with the file). */
  error?: string;
}

/** A result with nothing known yet. */
export function emptyInfo(format: ModelFormat, integrity: Integrity): CheckpointInfo {
  return { format, metrics: {}, dtypes: [], scalars: {}, globals: [], unsafe: false, integrity };
}

// A folder is as bad as its worst part, but a part being written wins: it is never called corrupt.
const SEVERITY: Record<Integrity['status'], number> = { ok: 0, unchecked: 1, truncated: 2, corrupt: 3, writing: 4 };

/** The integrity of several parts: the most severe, naming the part. */
export function worstIntegrity(parts: Array<{ name: string; integrity: Integrity }>): Integrity {
  let worst: { name: string; integrity: Integrity } | undefined;
  for (const p of parts) if (!worst || SEVERITY[p.integrity.status] > SEVERITY[worst.integrity.status]) worst = p;
  if (!worst) return { status: 'unchecked', detail: 'no model files' };
  if (worst.integrity.status === 'ok') return { status: 'ok' };
  return { status: worst.integrity.status, detail: `${worst.name}: ${worst.integrity.detail ?? worst.integrity.status}` };
}

/** Adds a part's tensors, parameters, dtypes and globals into `into`. */
export function addWeights(into: CheckpointInfo, part: CheckpointInfo): void {
  if (part.tensors !== undefined) into.tensors = (into.tensors ?? 0) + part.tensors;
  if (part.parameters !== undefined) into.parameters = (into.parameters ?? 0) + part.parameters;
  into.dtypes = [...new Set([...into.dtypes, ...part.dtypes])].sort();
  addGlobals(into, part);
}

/** Adds a part's globals (once each) and its unsafe flag into `into`. */
export function addGlobals(into: CheckpointInfo, part: CheckpointInfo): void {
  const seen = new Set(into.globals.map((g) => `${g.module} ${g.name}`));
  for (const g of part.globals) if (!seen.has(`${g.module} ${g.name}`)) into.globals.push(g);
  into.unsafe = into.unsafe || part.unsafe;
}
