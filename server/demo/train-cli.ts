// `npm run demo:train`: node --import tsx server/demo/train-cli.ts [flags]
// Appends checkpoints to a run of the demo project (or of --project) until
// --count is reached or Ctrl-C.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDemoDir, ensureDemoProject } from './ensure.js';
import { checkRunPath, simulateTraining, type TrainOptions } from './train.js';

const USAGE = `usage: demo:train [--project DIR] [--run REL] [--every SECONDS] [--count N] [--size MB] [--rotate K] [--save-seconds S]
  --project DIR      project holding checkpoints/ (default: the demo project, generated if missing)
  --run REL          run folder under checkpoints/ (default: a new session20/run<N>)
  --every SECONDS    seconds between checkpoint saves (default 15)
  --count N          stop after N checkpoints (default: until Ctrl-C)
  --size MB          apparent size of each checkpoint in MiB (default 46)
  --rotate K         keep only the newest K checkpoints of the run
  --save-seconds S   how long one save takes (default 2.5)`;

class UsageError extends Error {}

function number(name: string, raw: string | undefined, opts: { integer?: boolean; min: number; max?: number }): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const bad = raw.trim() === '' || !Number.isFinite(n) || n < opts.min || (opts.max !== undefined && n > opts.max) || (opts.integer && !Number.isInteger(n));
  if (bad) {
    const range = opts.max !== undefined ? ` between ${opts.min} and ${opts.max}` : ` of at least ${opts.min}`;
    throw new UsageError(`--${name} expects ${opts.integer ? 'an integer' : 'a number'}${range}, got '${raw}'`);
  }
  return n;
}

function parse(argv: string[]): { help: boolean; project?: string; train: Omit<TrainOptions, 'projectDir'> } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        project: { type: 'string' },
        run: { type: 'string' },
        every: { type: 'string' },
        count: { type: 'string' },
        size: { type: 'string' },
        rotate: { type: 'string' },
        'save-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  return {
    help: values.help === true,
    project: values.project,
    train: {
      run: values.run === undefined ? undefined : checkRunPathOrUsage(values.run),
      everySeconds: number('every', values.every, { min: 0 }),
      count: number('count', values.count, { integer: true, min: 1 }),
      // Below the 4 GiB a torch zip without ZIP64 can hold.
      sizeMB: number('size', values.size, { min: 0.01, max: 4000 }),
      rotate: number('rotate', values.rotate, { integer: true, min: 1 }),
      saveSeconds: number('save-seconds', values['save-seconds'], { min: 0 }),
    },
  };
}

function checkRunPathOrUsage(run: string): string {
  try {
    return checkRunPath(run);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`demo:train: ${err.message} (see --help)\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }

  let projectDir: string;
  if (args.project !== undefined) {
    projectDir = path.resolve(args.project);
    const st = await stat(projectDir).catch(() => null);
    if (!st?.isDirectory()) {
      process.stderr.write(`demo:train: project folder not found: ${projectDir}\n`);
      return 2;
    }
  } else {
    const demo = await ensureDemoProject({ dir: defaultDemoDir() });
    if (demo.generated) process.stdout.write(`generated the demo project in ${demo.projectDir} (${demo.elapsedMs} ms)\n`);
    projectDir = demo.projectDir;
  }

  const controller = new AbortController();
  const stop = (): void => {
    // A second Ctrl-C means "now", even mid-save.
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const result = await simulateTraining({
    ...args.train,
    projectDir,
    signal: controller.signal,
    log: (line) => process.stdout.write(line + '\n'),
  });
  const rotated = result.deleted.length > 0 ? `, rotated out ${result.deleted.length}` : '';
  process.stdout.write(`stopped: ${result.written.length} checkpoint${result.written.length === 1 ? '' : 's'} written to ${path.join(projectDir, 'checkpoints', result.run)}${rotated}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo:train: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
