// What a demo checkpoint holds: the dict a landmark-detection training loop
// saves (epoch, step, metrics, config, model weights, optionally Adam state),
// with the weight tensor sized so the whole file lands on a target size.
import { PyDict, PyFloat, PyTuple, Tensor, type PyValue } from './pickle-writer.js';
import { layoutTorchZip, torchStem, writeTorchZip, type TorchZipLayout } from './torch-zip.js';

/** Width of the demo model's single weight matrix; its row count sets the file size. */
export const MODEL_COLS = 1024;
const ROW_BYTES = MODEL_COLS * 4;

/** What a checkpoint file should contain, before sizing. */
export interface CheckpointSpec {
  epoch: number;
  /** Saved as floats (val_px 4.0 stays a float). */
  metrics: Record<string, number>;
  /** Extra top-level entries (global_step, a nested config dict…). */
  extra?: Record<string, PyValue>;
  /** Also save Adam state (exp_avg, exp_avg_sq): three weight-sized tensors instead of one. */
  optimizer?: boolean;
  /** Apparent file size to aim for; the result is within a few KB below or above. */
  targetBytes: number;
}

function checkpointValue(spec: CheckpointSpec, rows: number): PyValue {
  const shape = [rows, MODEL_COLS];
  const value: Record<string, PyValue> = { epoch: spec.epoch };
  for (const [k, v] of Object.entries(spec.metrics)) value[k] = new PyFloat(v);
  Object.assign(value, spec.extra ?? {});
  value.model_state_dict = new PyDict([['fc.weight', new Tensor(shape)]], true);
  if (spec.optimizer) {
    value.optimizer_state_dict = {
      state: new PyDict([[0, { step: new Tensor([]), exp_avg: new Tensor(shape), exp_avg_sq: new Tensor(shape) }]]),
      param_groups: [
        {
          lr: new PyFloat(1e-3),
          betas: new PyTuple([new PyFloat(0.9), new PyFloat(0.999)]),
          eps: new PyFloat(1e-8),
          weight_decay: new PyFloat(0),
          amsgrad: false,
          maximize: false,
          foreach: null,
          capturable: false,
          differentiable: false,
          fused: null,
          params: [0],
        },
      ],
    };
  }
  return value;
}

/** Rows of the weight matrix that bring the file closest to `spec.targetBytes`. */
export function rowsFor(spec: CheckpointSpec): number {
  const copies = spec.optimizer ? 3 : 1;
  // Headers, pickle and padding barely depend on the row count: measure them once.
  const overhead = layoutTorchZip('x', checkpointValue(spec, 1)).size - copies * ROW_BYTES;
  const rows = Math.round((spec.targetBytes - overhead) / (copies * ROW_BYTES));
  if (rows < 1) throw new RangeError(`checkpoint target ${spec.targetBytes} bytes is too small`);
  return rows;
}

/** Writes a sized demo checkpoint; returns its layout (the exact size is `layout.size`). */
export function writeCheckpoint(filePath: string, spec: CheckpointSpec, modified?: Date): Promise<TorchZipLayout> {
  return writeTorchZip(filePath, checkpointValue(spec, rowsFor(spec)), { stem: torchStem(filePath), modified });
}

/** The layout a sized demo checkpoint would have, without writing it. */
export function layoutCheckpoint(filePath: string, spec: CheckpointSpec, modified?: Date): TorchZipLayout {
  return layoutTorchZip(torchStem(filePath), checkpointValue(spec, rowsFor(spec)), modified);
}
