/**
 * Scanner benchmark against `du -sb`, `gdu` and `ncdu` on the same generated tree:
 *
 *   node --expose-gc --import tsx server/scan/bench-scan.ts --files 200000 [--runs 5] [--workers 2] [--dist] [--keep DIR]
 *
 * Generates nested folders of empty files (plus a few sparse big ones), warms
 * the page cache, then alternates each tool (a missing one is reported, not
 * fatal) and a full scan `--runs` times each and prints a table of medians and
 * ratios. A scan is timed from `start()` to
 * `ready()`, worker start-up included. `--dist` loads the compiled scanner
 * (run `npm run build:server` first): from TypeScript sources every worker
 * first loads tsx. With --expose-gc it also prints the index's memory per
 * entry: JS heap, and JS heap plus typed-array storage.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { ScanService as ScanServiceT, ScanOptions } from './scan-service.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    batch: { type: 'string' },
    'per-dir': { type: 'string', default: '100' },
    dist: { type: 'boolean', default: false },
    keep: { type: 'string' },
  },
});
const files = Number(values.files);
const runs = Number(values.runs);
const workers = Number(values.workers);
const perDir = Number(values['per-dir']);

type Ctor = new (root: string, o?: ScanOptions) => ScanServiceT;

async function loadScanner(): Promise<Ctor> {
  if (!values.dist) return (await import('./scan-service.js')).ScanService;
  const built = resolve('dist/server/scan/scan-service.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build:server first`);
  return ((await import(pathToFileURL(built).href)) as { ScanService: Ctor }).ScanService;
}

/** sessionS/runR/seedK/checkpoint_epochN.pt, `perDir` files per leaf folder; every 1000th file is a sparse 40 GB one. */
function generate(root: string, n: number): void {
  let made = 0;
  for (let d = 0; made < n; d++) {
    const dir = join(root, `session${d % 20}`, `run${Math.floor(d / 20) % 50}`, `seed${d}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perDir && made < n; i++, made++) {
      const p = join(dir, `checkpoint_epoch${i}.pt`);
      closeSync(openSync(p, 'w'));
      if (made % 1000 === 0) truncateSync(p, 40e9);
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The tools the scan is compared with, each on the same tree in the same run. */
const TOOLS: Array<{ name: string; cmd: string; args: (root: string) => string[] }> = [
  { name: 'du -sb', cmd: 'du', args: (root) => ['-sb', root] },
  { name: 'gdu -n -p', cmd: 'gdu', args: (root) => ['-n', '-p', root] },
  { name: 'ncdu -o /dev/null', cmd: 'ncdu', args: (root) => ['-q', '-o', '/dev/null', root] },
];

function installed(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error === undefined;
}

function timeTool(tool: (typeof TOOLS)[number], root: string): number {
  const t = performance.now();
  const r = spawnSync(tool.cmd, tool.args(root), { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${tool.name} failed`);
  return performance.now() - t;
}

async function timeScan(ScanService: Ctor, root: string): Promise<{ ms: number; service: ScanServiceT }> {
  const t = performance.now();
  const service = new ScanService(root, { workers, batchSize: values.batch ? Number(values.batch) : undefined });
  service.start();
  await service.ready();
  return { ms: performance.now() - t, service };
}

const gc = (globalThis as { gc?: () => void }).gc;

function usedBytes(): { heap: number; total: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, total: m.heapUsed + m.arrayBuffers };
}

async function main(): Promise<void> {
  const ScanService = await loadScanner();
  const root = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'ckpt-bench-'));
  const generated = !existsSync(join(root, 'session0'));
  try {
    if (generated) {
      const t = performance.now();
      generate(root, files);
      console.log(`generated ${files} files in ${((performance.now() - t) / 1000).toFixed(1)} s under ${root}`);
    }
    execFileSync('du', ['-sb', root], { stdio: 'ignore' });
    await (await timeScan(ScanService, root)).service.close();

    const tools = TOOLS.filter((tool) => installed(tool.cmd));
    const times = new Map<string, number[]>(tools.map((tool) => [tool.name, []]));
    const scan: number[] = [];
    let entries = 0;
    for (let r = 0; r < runs; r++) {
      for (const tool of tools) times.get(tool.name)!.push(timeTool(tool, root));
      const { ms, service } = await timeScan(ScanService, root);
      scan.push(ms);
      entries = service.summary().entries;
      await service.close();
    }
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
    console.log(`entries ${entries}, workers ${workers}, scanner from ${values.dist ? 'dist (compiled)' : 'sources (tsx)'}, medians of ${runs}`);
    console.log(`| tool | runs (ms) | median (ms) | scanner ÷ tool |`);
    console.log(`| --- | --- | --- | --- |`);
    console.log(`| ckptdash scan | ${fmt(scan)} | ${median(scan).toFixed(0)} | 1.00 |`);
    for (const tool of TOOLS) {
      const xs = times.get(tool.name);
      if (!xs) console.log(`| ${tool.name} | not installed (apt-get install ${tool.cmd}) | | |`);
      else console.log(`| ${tool.name} | ${fmt(xs)} | ${median(xs).toFixed(0)} | ${(median(scan) / median(xs)).toFixed(2)} |`);
    }

    if (gc) {
      const before = usedBytes();
      const { service } = await timeScan(ScanService, root);
      await service.idle();
      const after = usedBytes();
      const n = service.summary().entries + 1;
      console.log(
        `memory per entry: JS heap ${(Math.max(0, after.heap - before.heap) / n).toFixed(1)} B, ` +
          `heap + typed arrays ${((after.total - before.total) / n).toFixed(0)} B`,
      );
      await service.close();
    } else {
      console.log('memory: run with node --expose-gc to measure bytes per entry');
    }
  } finally {
    if (generated && !values.keep) rmSync(root, { recursive: true, force: true });
  }
}

await main();
