/**
 * `npm run bench`: every benchmark in one table, each measure beside its
 * anchor measured in the same run on the same files.
 *
 *   npm run bench [-- --files 1000000] [--runs 5] [--idle 60] [--samples 50]
 *                 [--only scan,watch,browser,api,delete,backup]
 *                 [--out bench/results/latest.md] [--json FILE] [--compare FILE] [--smoke]
 *
 * Each section runs in a child process of its own (a clean heap for memory
 * figures, no JIT state carried from one section to the next) and hands its
 * figures back as JSON. A section that fails, or a tool that is not
 * installed, makes its rows say so; the others still run. `--smoke` runs
 * everything on tiny inputs, for the test that checks the table's shape.
 * Nothing here asserts a time: the targets column says whether each measure
 * met the issue's target on this run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildRows, compareRows, renderTable, type BenchResults, type Row } from './table.js';

const SECTIONS = ['scan', 'watch', 'browser', 'api', 'delete', 'backup'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    files: { type: 'string' },
    runs: { type: 'string' },
    idle: { type: 'string' },
    samples: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    compare: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});

const smoke = values.smoke;
const files = Number(values.files ?? (smoke ? 2000 : 200_000));
const runs = Number(values.runs ?? (smoke ? 1 : 5));
const idle = Number(values.idle ?? (smoke ? 1 : 60));
const samples = Number(values.samples ?? (smoke ? 3 : 50));
const out = resolve(values.out ?? 'bench/results/latest.md');
const only = values.only ? (values.only.split(',') as Section[]) : [...SECTIONS];
for (const s of only) {
  if (!SECTIONS.includes(s)) {
    console.error(`unknown section "${s}": choose among ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
for (const [flag, n] of Object.entries({ files, runs, idle, samples })) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${flag} needs a positive whole number`);
    process.exit(2);
  }
}
const compareWith = values.compare ? loadCompare(values.compare) : undefined;

function loadCompare(file: string): Row[] {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { rows?: Row[] };
    if (!Array.isArray(data.rows)) throw new Error('no "rows" in it: pass a file written by --json');
    return data.rows;
  } catch (e) {
    console.error(`--compare ${file}: ${(e as Error).message}`);
    process.exit(2);
  }
}

const work = mkdtempSync(join(tmpdir(), 'ckptdash-bench-'));
const tree = join(work, 'tree');
const results: BenchResults = {};
const failures: Partial<Record<Section, string>> = {};

/** Runs one section's script in its own process; its details go to the terminal, its figures come back through a JSON file. */
function runSection(section: Section, script: string, args: string[], nodeFlags: string[] = []): void {
  const json = join(work, `${section}.json`);
  console.log(`\n== ${section}: ${script} ${args.join(' ')}`);
  const t = performance.now();
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args, '--json', json], { stdio: 'inherit' });
  const s = ((performance.now() - t) / 1000).toFixed(0);
  if (r.status === 0 && existsSync(json)) {
    (results as Record<string, unknown>)[section] = JSON.parse(readFileSync(json, 'utf8'));
    console.log(`== ${section} done in ${s} s`);
  } else {
    failures[section] = r.error?.message ?? `exited with ${r.signal ?? `status ${r.status}`}`;
    console.log(`== ${section} FAILED after ${s} s: ${failures[section]}`);
  }
}

function ensureBuilt(): boolean {
  if (existsSync('dist/server/main.js') && existsSync('dist/web/index.html')) return true;
  console.log('== building (npm run build) for the whole-process and browser measures');
  return spawnSync('npm', ['run', 'build'], { stdio: 'inherit' }).status === 0;
}

const started = new Date();
try {
  const built = ensureBuilt();
  if (only.includes('scan') || only.includes('watch')) {
    mkdirSync(tree);
    console.log(`== generating ${files.toLocaleString('en')} files`);
    const { generateScanTree } = await import('./lib.js');
    const t = performance.now();
    generateScanTree(tree, files);
    console.log(`   done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const n = String(files);
  for (const section of only) {
    if (section === 'scan') runSection('scan', 'server/scan/bench-scan.ts', ['--files', n, '--runs', String(runs), '--keep', tree, ...(built ? ['--dist'] : [])], ['--expose-gc']);
    if (section === 'watch') runSection('watch', 'server/watch/bench-watch.ts', ['--files', n, '--keep', tree, '--idle', String(idle), '--samples', String(samples)], ['--expose-gc']);
    if (section === 'browser') {
      if (built) runSection('browser', 'bench/browser.ts', ['--files', n, '--samples', String(samples)]);
      else failures.browser = 'the build failed';
    }
    if (section === 'api') runSection('api', 'bench/api.ts', smoke ? ['--children', '2000', '--requests', '64'] : []);
    if (section === 'delete') runSection('delete', 'server/cleanup/bench-delete.ts', smoke ? ['--folders', '4', '--files', '5', '--runs', '1'] : ['--runs', String(runs)]);
    if (section === 'backup') runSection('backup', 'server/backup/bench-backup.ts', smoke ? ['--files', '2', '--mb', '2', '--levels', '1'] : ['--levels', '1']);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const rows = buildRows(results, failures, { files, only });
/** The flags that change what is measured (not where results go), as the command to run it again. */
const measureArgs: string[] = [];
for (const flag of ['files', 'runs', 'idle', 'samples', 'only'] as const) if (values[flag] !== undefined) measureArgs.push(`--${flag}`, String(values[flag]));
if (smoke) measureArgs.push('--smoke');
const header = [
  `# ckptdash benchmarks`,
  '',
  `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${files.toLocaleString('en')} files · medians of ${runs} · ` +
    `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.versions.node}`,
  '',
  `Command: \`npm run bench${measureArgs.length ? ` -- ${measureArgs.join(' ')}` : ''}\``,
  '',
].join('\n');
const table = renderTable(rows);
console.log(`\n${header}\n${table}`);
if (compareWith) console.log(`\nChange against ${values.compare}:\n\n${compareRows(compareWith, rows)}`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${header}\n${table}\n`);
console.log(`\nwrote ${out}`);
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ date: started.toISOString(), files, runs, rows, results }, null, 2));
  console.log(`wrote ${values.json}`);
}
process.exitCode = Object.keys(failures).length ? 1 : 0;
