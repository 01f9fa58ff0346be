// The seed report's checkpoints/ tree (seed/checkpoint-cleanup-report.es.md),
// as a list of files with sizes and dates. Sizes follow `du -h` as the report
// printed them: binary units, so "46 MB" is 46 MiB and "21 GB" is 21 GiB, and
// each folder stays just under its printed size so `du -h --apparent-size`
// shows the report's figure.
import { GiB, KiB, MiB, runFiles, type PlannedFile, type RunSpec } from './demo-run.js';

/** How many checkpoint_epoch files the report says were deleted. */
export const CHECKPOINT_EPOCH_FILES = 1125;

/** The four models configs/ensemble_best.json names, with their val_px and date. */
export const CRITICAL = [
  { path: 'session10/ensemble/seed123/final_model.pt', session: 10, seed: 123, px: 3.92, at: '2025-11-27T10:42:00Z' },
  { path: 'session13/seed321/final_model.pt', session: 13, seed: 321, px: 3.86, at: '2025-11-28T16:05:00Z' },
  { path: 'repro_split111/session14/seed111/final_model.pt', session: 14, seed: 111, px: 3.78, at: '2026-01-10T13:20:00Z' },
  { path: 'repro_split666/session16/seed666/final_model.pt', session: 16, seed: 666, px: 3.97, at: '2026-01-11T18:47:00Z' },
] as const;

/** Kept for history: the best single model and a member of the superseded 3.71 px ensemble. */
export const HISTORICAL = [
  { path: 'session10/ensemble/seed456/final_model.pt', session: 10, seed: 456, px: 4.04, at: '2025-11-27T17:15:00Z' },
  { path: 'session13/seed789/final_model.pt', session: 13, seed: 789, px: 3.71, at: '2025-11-27T22:31:00Z' },
] as const;

export const ENSEMBLE_PX = 3.61;

// A model file ("46 MB") and an intermediate that also carries Adam state.
const MODEL = 46 * MiB - 8 * KiB;
const MODEL_45 = 45 * MiB - 8 * KiB;
const WITH_OPTIMIZER = 3 * MODEL;
// Kept under each folder's printed size so rounding up (as du does) shows it.
const FOLDER_MARGIN = 16 * MiB;
const LOG_ALLOWANCE = 8 * KiB;

/** Session runs outside repro*: 35 model-only checkpoints each (5 × 35 = 175). */
const SESSION_CHECKPOINTS = 35;
/** TensorBoard logs kept in the session runs: 5 × 34 MiB, so the cleaned tree is the report's 629 MB. */
const SESSION_EVENTS = 34 * MiB;

/** The fifteen reproduction folders the report deleted, with their runs and a start date. */
const REPRO: Array<{ dir: string; gib: number; runs: string[]; start: string }> = [
  { dir: 'repro', gib: 22, runs: ['session10/seed123', 'session10/seed456', 'session13/seed321', 'session13/seed789'], start: '2025-12-01T08:00:00Z' },
  { dir: 'repro_exact', gib: 11, runs: ['session10/seed123', 'session10/seed456'], start: '2025-12-04T08:00:00Z' },
  { dir: 'repro_exact_longpat', gib: 4.5, runs: ['session10/seed123_patience30'], start: '2025-12-06T09:00:00Z' },
  { dir: 'repro_quickstart', gib: 21, runs: ['session10/seed123', 'session10/seed456', 'session13/seed321', 'session13/seed789'], start: '2025-12-08T07:30:00Z' },
  { dir: 'repro_split123', gib: 5.9, runs: ['session11/seed123'], start: '2025-12-12T10:00:00Z' },
  { dir: 'repro_split456', gib: 13, runs: ['session11/seed456', 'session12/seed456'], start: '2025-12-14T08:00:00Z' },
  { dir: 'repro_split789', gib: 5.7, runs: ['session13/seed789'], start: '2025-12-17T09:00:00Z' },
  { dir: 'repro_split321', gib: 4.0, runs: ['session13/seed321'], start: '2025-12-19T09:00:00Z' },
  { dir: 'repro_split456_rerun', gib: 5.2, runs: ['session12/seed456'], start: '2025-12-21T11:00:00Z' },
  { dir: 'repro_tuned', gib: 5.6, runs: ['session15/tuned_seed123'], start: '2025-12-26T09:00:00Z' },
  { dir: 'repro_tuned2', gib: 5.2, runs: ['session15/tuned2_seed123'], start: '2025-12-29T09:00:00Z' },
  { dir: 'repro_split222', gib: 4.9, runs: ['session14/seed222'], start: '2026-01-02T08:00:00Z' },
  { dir: 'repro_split333', gib: 5.0, runs: ['session14/seed333'], start: '2026-01-04T08:00:00Z' },
  { dir: 'repro_split444', gib: 5.2, runs: ['session15/seed444'], start: '2026-01-06T08:00:00Z' },
  { dir: 'repro_split555', gib: 5.8, runs: ['session15/seed555'], start: '2026-01-08T08:00:00Z' },
];

const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const seedOf = (run: string): number => Number(/seed(\d+)/.exec(run)?.[1] ?? 1);
const sessionOf = (run: string): number => Number(/session(\d+)/.exec(run)?.[1] ?? 0);

function model(path: string, at: string, epoch: number, px: number, bytes = MODEL): PlannedFile {
  return {
    path,
    mtimeMs: Date.parse(at),
    kind: 'checkpoint',
    spec: { epoch, metrics: { val_px: px, val_loss: Number((px * 0.021).toFixed(4)) }, extra: { global_step: epoch * 250 }, targetBytes: bytes },
  };
}

function text(path: string, at: string, body: string): PlannedFile {
  return { path, mtimeMs: Date.parse(at), kind: 'text', text: body };
}

/** A reproduction folder filled to just under its size: 138 MiB checkpoints, the rest in event files. */
function reproFolder(r: (typeof REPRO)[number], index: number): PlannedFile[] {
  const budget = r.gib * GiB - FOLDER_MARGIN - r.runs.length * (MODEL + LOG_ALLOWANCE);
  const total = Math.floor(budget / WITH_OPTIMIZER);
  const events = Math.floor((budget - total * WITH_OPTIMIZER) / r.runs.length);
  const files: PlannedFile[] = [];
  let finishedAt = Date.parse(r.start);
  r.runs.forEach((run, i) => {
    const checkpoints = Math.floor(total / r.runs.length) + (i < total % r.runs.length ? 1 : 0);
    finishedAt += (checkpoints * 12) / 60 * HOUR + HOUR;
    files.push(
      ...runFiles({
        dir: `${r.dir}/${run}`,
        session: sessionOf(run),
        seed: seedOf(run),
        checkpoints,
        checkpointBytes: WITH_OPTIMIZER,
        optimizer: true,
        finishedAt: iso(finishedAt),
        finalPx: Number((4.1 + ((index * 7 + i * 3) % 10) * 0.09).toFixed(2)),
        finalBytes: MODEL,
        eventsBytes: events,
        minutesPerEpoch: 12,
      }),
    );
  });
  return files;
}

function countCheckpointEpochs(files: PlannedFile[]): number {
  return files.filter((f) => /(^|\/)checkpoint_epoch\d+\.pt$/.test(f.path)).length;
}

/** Every file of the demo's checkpoints/ folder, paths relative to it. */
export function planDemo(): PlannedFile[] {
  const files: PlannedFile[] = [];

  // The ensemble members and the historical models, each with its run's intermediates.
  for (const m of [...CRITICAL, ...HISTORICAL]) {
    const dir = m.path.slice(0, m.path.lastIndexOf('/'));
    const inRepro = dir.startsWith('repro');
    files.push(
      ...runFiles({
        dir,
        session: m.session,
        seed: m.seed,
        checkpoints: inRepro ? 3 : SESSION_CHECKPOINTS,
        checkpointBytes: inRepro ? WITH_OPTIMIZER : MODEL,
        optimizer: inRepro,
        finishedAt: m.at,
        finalPx: m.px,
        finalBytes: MODEL,
        eventsBytes: inRepro ? 6 * MiB : SESSION_EVENTS,
        minutesPerEpoch: inRepro ? 12 : 9,
      }),
    );
  }
  files.push(
    ...runFiles({
      dir: 'session13/hierarchical',
      session: 13,
      seed: 42,
      checkpoints: SESSION_CHECKPOINTS,
      checkpointBytes: MODEL,
      optimizer: false,
      finishedAt: '2025-11-29T12:10:00Z',
      finalPx: 4.21,
      finalBytes: MODEL,
      eventsBytes: SESSION_EVENTS,
      minutesPerEpoch: 9,
    }),
  );

  REPRO.forEach((r, i) => files.push(...reproFolder(r, i)));

  // Ablations of session 10; exp5 diverged and left only its log.
  const ablations: Array<[string, number, number, string]> = [
    ['exp1_dropout02', 4.35, MODEL, '2025-11-18T15:00:00Z'],
    ['exp2_hidden1024', 4.19, MODEL, '2025-11-19T15:30:00Z'],
    ['exp3_hidden512', 4.48, MODEL_45, '2025-11-20T14:10:00Z'],
    ['exp4_epochs100', 4.27, MODEL, '2025-11-22T02:40:00Z'],
  ];
  for (const [name, px, bytes, at] of ablations) {
    files.push(model(`session10/${name}/final_model.pt`, at, name.endsWith('100') ? 100 : 50, px, bytes));
    files.push(text(`session10/${name}/results.json`, at, JSON.stringify({ experiment: name, val_px: px }, null, 2) + '\n'));
  }
  files.push(
    text(
      'session10/exp5_lr1e5/train.log',
      '2025-11-22T09:12:00Z',
      '# session10 exp5_lr1e5\nepoch 1/50 train_loss 0.9120 val_loss 0.9874 val_px 41.2\nepoch 2/50 train_loss 0.9051 val_loss 0.9860 val_px 41.0\nstopped: no improvement at lr 1e-5, no checkpoint saved\n',
    ),
  );

  // Old bests at the top, and a stray final_model.pt from an early test.
  files.push(model('best_model_7.84px.pt', '2025-11-03T19:12:00Z', 18, 7.84, MODEL_45));
  files.push(model('best_model_7.21px.pt', '2025-11-10T11:48:00Z', 24, 7.21));
  files.push(model('best_model_session10.pt', '2025-11-26T21:03:00Z', 31, 4.31));
  files.push(model('final_model.pt', '2025-10-31T18:25:00Z', 5, 9.87, MODEL_45));

  files.push(...debugRuns(CHECKPOINT_EPOCH_FILES - countCheckpointEpochs(files)));
  return files;
}

/** debug_runs/ (545 MB); its smoke test saved tiny checkpoints, as many as the 1,125 total needs. */
function debugRuns(checkpointsLeft: number): PlannedFile[] {
  const run = (dir: string, checkpoints: number, finishedAt: string, finalPx?: number): PlannedFile[] =>
    runFiles({ dir: `debug_runs/${dir}`, session: 9, seed: 0, checkpoints, checkpointBytes: MODEL, optimizer: false, finishedAt, finalPx, minutesPerEpoch: 3 });
  const files = [
    ...run('overfit_batch', 5, '2025-10-24T16:40:00Z'),
    ...run('nan_hunt', 3, '2025-10-26T11:05:00Z'),
    ...run('amp_test', 1, '2025-10-28T20:15:00Z', 8.9),
    ...run('lr_finder', 0, '2025-10-29T10:30:00Z', 10.4),
    text('debug_runs/lr_finder/lr_finder.json', '2025-10-29T10:31:00Z', JSON.stringify({ suggested_lr: 1e-3, min_loss_lr: 3e-3 }, null, 2) + '\n'),
  ];
  const smoke = checkpointsLeft - countCheckpointEpochs(files);
  if (smoke < 1) throw new Error(`demo plan has too many checkpoint_epoch files (${-smoke + 1} over)`);
  const used = files.reduce((sum, f) => sum + (f.kind === 'checkpoint' ? f.spec.targetBytes : LOG_ALLOWANCE), 0);
  // A small margin: few files, each within a few KB of its target.
  const each = Math.floor((545 * MiB - 512 * KiB - used - LOG_ALLOWANCE) / smoke);
  files.push(
    ...runFiles({ dir: 'debug_runs/smoke_test', session: 9, seed: 1, checkpoints: smoke, checkpointBytes: each, optimizer: false, finishedAt: '2025-10-30T09:50:00Z', minutesPerEpoch: 1 }),
  );
  return files;
}
