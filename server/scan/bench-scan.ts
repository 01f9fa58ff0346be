/**
 * Scanner benchmark against `du -sb`, `gdu` and `ncdu` on the same generated tree:
 *
 *   node --expose-gc --import tsx server/scan/bench-scan.ts --files 200000 [--runs 5] [--workers 2] [--dist] [--keep DIR] [--json FILE]
 *
 * Generates nested folders of empty files (plus a few sparse big ones), warms
 * the page cache, then alternates each tool (a missing one is reported, not
 * fatal), a full scan in this process and a whole process that loads the
 * compiled scanner, scans and exits (`bench/scan-once.mjs`; needs
 * `npm run build:server`), `--runs` times each, and prints a table of medians
 * and ratios. An in-process scan is timed from `start()` to `ready()`, worker
 * start-up included. `--dist` loads the compiled scanner in this process too:
 * from TypeScript sources every worker first loads tsx. With --expose-gc it
 * also measures the index's memory per entry (JS heap, and JS heap plus
 * typed-array storage) and the process's RSS once the index is built.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { generateScanTree, installed, median, writeSectionJson } from '../../bench/lib.js';
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
    json: { type: 'string' },
  },
});
const files = Number(values.files);
const runs = Number(values.runs);
const workers = Number(values.workers);
const perDir = Number(values['per-dir']);
const SCAN_ONCE = resolve('bench/scan-once.mjs');
const BUILT = resolve('dist/server/scan/scan-service.js');

type Ctor = new (root: string, o?: ScanOptions) => ScanServiceT;

async function loadScanner(): Promise<Ctor> {
  if (!values.dist) return (await import('./scan-service.js')).ScanService;
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build:server first`);
  return ((await import(pathToFileURL(BUILT).href)) as { ScanService: Ctor }).ScanService;
}

/** The tools the scan is compared with, each on the same tree in the same run. */
const TOOLS: Array<{ key: string; name: string; cmd: string; args: (root: string) => string[] }> = [
  { key: 'du', name: 'du -sb', cmd: 'du', args: (root) => ['-sb', root] },
  { key: 'gdu', name: 'gdu -n -p', cmd: 'gdu', args: (root) => ['-n', '-p', root] },
  { key: 'ncdu', name: 'ncdu -o /dev/null', cmd: 'ncdu', args: (root) => ['-q', '-o', '/dev/null', root] },
];

function timeCommand(name: string, cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${name} failed (${r.error?.message ?? `status ${r.status}`})`);
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

function used(): { heap: number; total: number; rss: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, total: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

async function main(): Promise<void> {
  const ScanService = await loadScanner();
  const root = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'ckpt-bench-'));
  const generated = !existsSync(join(root, 'session0'));
  try {
    if (generated) {
      const t = performance.now();
      generateScanTree(root, files, perDir);
      console.log(`generated ${files} files in ${((performance.now() - t) / 1000).toFixed(1)} s under ${root}`);
    }
    execFileSync('du', ['-sb', root], { stdio: 'ignore' });
    await (await timeScan(ScanService, root)).service.close();

    const tools = TOOLS.filter((tool) => installed(tool.cmd));
    const times = new Map<string, number[]>(tools.map((tool) => [tool.key, []]));
    const scan: number[] = [];
    const whole: number[] = [];
    const wholeOk = existsSync(BUILT);
    let entries = 0;
    for (let r = 0; r < runs; r++) {
      for (const tool of tools) times.get(tool.key)!.push(timeCommand(tool.name, tool.cmd, tool.args(root)));
      const { ms, service } = await timeScan(ScanService, root);
      scan.push(ms);
      entries = service.summary().entries;
      await service.close();
      if (wholeOk) whole.push(timeCommand('scan-once', process.execPath, [SCAN_ONCE, root, String(workers)]));
    }
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
    console.log(`entries ${entries}, workers ${workers}, scanner from ${values.dist ? 'dist (compiled)' : 'sources (tsx)'}, medians of ${runs}`);
    console.log(`| tool | runs (ms) | median (ms) | scanner ÷ tool |`);
    console.log(`| --- | --- | --- | --- |`);
    console.log(`| ckptdash scan (in process) | ${fmt(scan)} | ${median(scan).toFixed(0)} | 1.00 |`);
    if (wholeOk) console.log(`| ckptdash scan (whole process) | ${fmt(whole)} | ${median(whole).toFixed(0)} | |`);
    else console.log(`| ckptdash scan (whole process) | needs npm run build:server | | |`);
    for (const tool of TOOLS) {
      const xs = times.get(tool.key);
      if (!xs) console.log(`| ${tool.name} | not installed (apt-get install ${tool.cmd}) | | |`);
      else console.log(`| ${tool.name} | ${fmt(xs)} | ${median(xs).toFixed(0)} | ${(median(scan) / median(xs)).toFixed(2)} |`);
    }

    let memory: { entries: number; heapPerEntry: number; totalPerEntry: number; rss: number } | undefined;
    if (gc) {
      const before = used();
      const { service } = await timeScan(ScanService, root);
      await service.idle();
      const after = used();
      const n = service.summary().entries + 1;
      memory = {
        entries: n,
        heapPerEntry: Math.max(0, after.heap - before.heap) / n,
        totalPerEntry: Math.max(0, after.total - before.total) / n,
        rss: after.rss,
      };
      console.log(
        `memory per entry: JS heap ${memory.heapPerEntry.toFixed(1)} B, heap + typed arrays ${memory.totalPerEntry.toFixed(0)} B; ` +
          `RSS with the index built ${(after.rss / 1048576).toFixed(0)} MB`,
      );
      await service.close();
    } else {
      console.log('memory: run with node --expose-gc to measure bytes per entry');
    }
    writeSectionJson(values.json, {
      section: 'scan',
      files,
      entries,
      runs,
      workers,
      scan: { runs: scan, median: median(scan) },
      whole: wholeOk ? { runs: whole, median: median(whole) } : null,
      tools: Object.fromEntries(
        TOOLS.map((tool) => {
          const xs = times.get(tool.key);
          return [tool.key, xs ? { name: tool.name, runs: xs, median: median(xs) } : { name: tool.name, missing: true }];
        }),
      ),
      memory: memory ?? null,
    });
  } finally {
    if (generated && !values.keep) rmSync(root, { recursive: true, force: true });
  }
}

await main();
