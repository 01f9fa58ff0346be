// One training run of the demo as files: checkpoint_epoch<N>.pt every epoch,
// optionally a final_model.pt, a train.log and a TensorBoard event file,
// with mtimes one epoch apart ending at the run's finish time.
import type { CheckpointSpec } from './checkpoint-content.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** One file the demo generator writes, path relative to checkpoints/. */
export type PlannedFile =
  | { path: string; mtimeMs: number; kind: 'checkpoint'; spec: CheckpointSpec }
  | { path: string; mtimeMs: number; kind: 'text'; text: string }
  | { path: string; mtimeMs: number; kind: 'sparse'; bytes: number };

/** Deterministic PRNG (mulberry32) so every generated demo is the same. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** How a run trained and what it left behind. */
export interface RunSpec {
  /** Folder relative to checkpoints/. */
  dir: string;
  session: number;
  seed: number;
  /** Number of checkpoint_epoch files (epochs 1…n). */
  checkpoints: number;
  /** Bytes of each checkpoint_epoch file. */
  checkpointBytes: number;
  /** Intermediates carry Adam state (three weight-sized tensors). */
  optimizer: boolean;
  /** When training finished: the final model's mtime, or the last checkpoint's. */
  finishedAt: string;
  /** val_px of the final model; omitted: the run has no final_model.pt. */
  finalPx?: number;
  finalBytes?: number;
  /** Size of a sparse TensorBoard event file; omitted or 0: none. */
  eventsBytes?: number;
  minutesPerEpoch?: number;
  /** val_px at epoch 1, before the curve falls towards the final value. */
  startPx?: number;
}

/** The files of one run, intermediates strictly before the final model and in epoch order. */
export function runFiles(run: RunSpec): PlannedFile[] {
  const rand = prng(run.seed * 7919 + run.session * 104729 + run.checkpoints);
  const end = Date.parse(run.finishedAt);
  if (Number.isNaN(end)) throw new Error(`bad date ${run.finishedAt}`);
  const epochMs = (run.minutesPerEpoch ?? 10) * 60_000;
  const n = run.checkpoints;
  const targetPx = run.finalPx ?? 6 + rand() * 2;
  const startPx = run.startPx ?? 11 + rand() * 3;
  const config = { session: run.session, seed: run.seed, lr: 1e-3, hidden: 1024, batch_size: 32 };
  const files: PlannedFile[] = [];
  const log: string[] = [`# session${run.session} seed${run.seed}: ${n} epochs`];
  // The final model is saved one epoch-length after the last checkpoint.
  const lastCheckpointAt = run.finalPx === undefined ? end : end - epochMs;
  for (let epoch = 1; epoch <= n; epoch++) {
    const progress = n === 1 ? 1 : (epoch - 1) / (n - 1);
    const px = round(targetPx + 0.04 + (startPx - targetPx) * Math.exp(-4 * progress) + (rand() - 0.5) * 0.08, 3);
    const valLoss = round(px * 0.021 + rand() * 0.002, 4);
    const trainLoss = round(valLoss * (0.78 + rand() * 0.05), 4);
    const jitter = Math.round((rand() - 0.5) * 60) * 1000; // whole seconds: ms fractions do not survive utimes exactly
    const mtimeMs = lastCheckpointAt - (n - epoch) * epochMs + (epoch === n ? 0 : jitter);
    files.push({
      path: `${run.dir}/checkpoint_epoch${epoch}.pt`,
      mtimeMs,
      kind: 'checkpoint',
      spec: {
        epoch,
        metrics: { val_px: px, val_loss: valLoss, train_loss: trainLoss },
        extra: { global_step: epoch * 250, config },
        optimizer: run.optimizer,
        targetBytes: run.checkpointBytes,
      },
    });
    log.push(`epoch ${epoch}/${n} train_loss ${trainLoss} val_loss ${valLoss} val_px ${px}`);
  }
  if (run.finalPx !== undefined) {
    files.push({
      path: `${run.dir}/final_model.pt`,
      mtimeMs: end,
      kind: 'checkpoint',
      spec: {
        epoch: n,
        metrics: { val_px: run.finalPx, val_loss: round(run.finalPx * 0.021, 4) },
        extra: { global_step: n * 250, config },
        targetBytes: run.finalBytes ?? run.checkpointBytes,
      },
    });
    log.push(`final val_px ${run.finalPx}`);
  }
  files.push({ path: `${run.dir}/train.log`, mtimeMs: end + 20_000, kind: 'text', text: log.join('\n') + '\n' });
  if (run.eventsBytes) {
    const stamp = Math.floor((end - n * epochMs) / 1000);
    files.push({ path: `${run.dir}/events.out.tfevents.${stamp}.gpu01`, mtimeMs: end + 10_000, kind: 'sparse', bytes: run.eventsBytes });
  }
  return files;
}
