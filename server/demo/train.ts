// A fake training job for the demo: appends checkpoint_epoch<N>.pt files to a
// run folder at a steady cadence. Each save takes a couple of seconds and
// grows the file the way torch.save does (header and pickle first, tensor
// data, central directory last), so the dashboard sees files being written,
// a growing run, and with rotation the save-and-rotate sawtooth.
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { layoutCheckpoint } from './checkpoint-content.js';
import { MiB } from './demo-run.js';

/** Options of simulateTraining; times in seconds, sizes in MiB. */
export interface TrainOptions {
  projectDir: string;
  /** Run folder relative to checkpoints/; default: the first free session20/run<N>. */
  run?: string;
  /** Seconds between the starts of two saves (default 15). */
  everySeconds?: number;
  /** Stop after this many checkpoints (default: until aborted). */
  count?: number;
  /** Apparent size of each checkpoint in MiB (default 46). */
  sizeMB?: number;
  /** Keep only the newest K checkpoint_epoch files (default: keep all). */
  rotate?: number;
  /** How long one save takes (default 2.5). */
  saveSeconds?: number;
  /** Aborting finishes the save in progress at once, then stops. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** What a simulated run did, paths relative to checkpoints/. */
export interface TrainResult {
  run: string;
  written: string[];
  deleted: string[];
}

const CHECKPOINT = /^checkpoint_epoch(\d+)\.pt$/;
// Saves grow the file in this many steps.
const SAVE_STEPS = 6;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function listCheckpoints(dir: string): Promise<Array<{ name: string; epoch: number }>> {
  // A run folder that does not exist yet simply has no checkpoints.
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => ({ name, m: CHECKPOINT.exec(name) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ name: x.name, epoch: Number(x.m![1]) }))
    .sort((a, b) => a.epoch - b.epoch);
}

async function freeRun(checkpointsDir: string): Promise<string> {
  for (let n = 1; ; n++) {
    const run = `session20/run${n}`;
    const names = await readdir(path.join(checkpointsDir, run)).catch(() => null);
    if (names === null) return run;
  }
}

/** Validates a run path: relative, POSIX, no `..`. */
export function checkRunPath(run: string): string {
  const clean = run.replace(/\/+$/, '');
  if (clean === '' || clean.startsWith('/') || clean.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw new Error(`invalid run folder '${run}': expected a relative path like session20/run1`);
  }
  return clean;
}

// Writes the layout piece by piece: the file grows through sparse extension
// between the pieces, as tensor data would stream in.
async function saveSlowly(file: string, layout: ReturnType<typeof layoutCheckpoint>, saveMs: number, signal?: AbortSignal): Promise<void> {
  const fh = await open(file, 'w');
  try {
    const step = Math.max(1, Math.ceil(layout.size / SAVE_STEPS));
    const pause = saveMs / SAVE_STEPS;
    let length = 0;
    for (const segment of layout.segments) {
      while (length + step < segment.offset) {
        length += step;
        await fh.truncate(length);
        await sleep(pause, signal);
      }
      await fh.write(segment.data, 0, segment.data.length, segment.offset);
      length = segment.offset + segment.data.length;
    }
  } finally {
    await fh.close();
  }
}

/** Runs the simulated training until `count` checkpoints are written or `signal` aborts. */
export async function simulateTraining(opts: TrainOptions): Promise<TrainResult> {
  const checkpointsDir = path.join(opts.projectDir, 'checkpoints');
  const run = opts.run !== undefined ? checkRunPath(opts.run) : await freeRun(checkpointsDir);
  const runDir = path.join(checkpointsDir, ...run.split('/'));
  await mkdir(runDir, { recursive: true });
  const everyMs = (opts.everySeconds ?? 15) * 1000;
  const saveMs = (opts.saveSeconds ?? 2.5) * 1000;
  const targetBytes = Math.round((opts.sizeMB ?? 46) * MiB);
  const log = opts.log ?? (() => undefined);
  const result: TrainResult = { run, written: [], deleted: [] };
  // A resumed run continues after its newest checkpoint.
  const existing = await listCheckpoints(runDir);
  let epoch = existing.length > 0 ? existing[existing.length - 1].epoch : 0;

  while (!opts.signal?.aborted && (opts.count === undefined || result.written.length < opts.count)) {
    const started = Date.now();
    epoch++;
    const name = `checkpoint_epoch${epoch}.pt`;
    const valPx = Number((3.6 + 8 * Math.exp(-epoch / 12) + Math.random() * 0.06).toFixed(3));
    const spec = {
      epoch,
      metrics: { val_px: valPx, val_loss: Number((valPx * 0.021).toFixed(4)) },
      extra: { global_step: epoch * 250 },
      targetBytes,
    };
    const file = path.join(runDir, name);
    const layout = layoutCheckpoint(file, spec, new Date());
    await saveSlowly(file, layout, saveMs, opts.signal);
    result.written.push(`${run}/${name}`);

    const removed: string[] = [];
    if (opts.rotate !== undefined) {
      const all = await listCheckpoints(runDir);
      for (const old of all.slice(0, Math.max(0, all.length - opts.rotate))) {
        await rm(path.join(runDir, old.name), { force: true });
        removed.push(old.name);
        result.deleted.push(`${run}/${old.name}`);
      }
    }
    const time = new Date().toTimeString().slice(0, 8);
    const rotated = removed.length > 0 ? `, rotated out ${removed.join(', ')}` : '';
    log(`[${time}] saved ${run}/${name} (${(layout.size / MiB).toFixed(1)} MiB, val_px ${valPx})${rotated}`);

    if (opts.count !== undefined && result.written.length >= opts.count) break;
    await sleep(everyMs - (Date.now() - started), opts.signal);
  }
  return result;
}
