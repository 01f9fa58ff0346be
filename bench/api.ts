/**
 * API latency under concurrent clients, against a real listening server:
 *
 *   node --import tsx bench/api.ts [--clients 16] [--requests 400] [--children 100000] [--json FILE]
 *
 * Builds one temporary project: the generated demo (seed-shaped, sparse) with a `wide/` folder of
 * `--children` empty files added under the same checkpoints root, serves it on 127.0.0.1 with a
 * free port, and for each route runs `--clients` keep-alive clients that issue requests back to
 * back (Bearer token, loopback Host) until `--requests` are done, after a short warm-up.
 *
 * The clients run in a child process (this file again, with `--load`): on two cores the server
 * keeps its event loop to itself, and a client's own work never delays the server's replies or
 * the other way round. Latency is measured from just before a request is written to the end of
 * its body. Not a test: nothing asserts a time; non-200 answers are counted as errors.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TREE_PAGE_SIZE } from '../web/api/keys.js';
import { median, quantile } from './lib.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    requests: { type: 'string', default: '400' },
    children: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '20' },
    json: { type: 'string' },
    load: { type: 'boolean', default: false },
  },
});

const TOKEN = 'bench-api-token-0123456789abcdef';
const WIDE = 'wide';

/** One route's load: what the parent asks the load process to run. */
interface LoadJob {
  port: number;
  token: string;
  path: string;
  clients: number;
  requests: number;
  warmup: number;
}

/** What the load process measured for one route. */
interface LoadResult {
  latencies: number[];
  /** Status code → count; 0 stands for a failed request (connection error). */
  statuses: Record<string, number>;
  wallMs: number;
  /** Body bytes of the last 200 answer, to show what a request carries. */
  bodyBytes: number;
  firstError?: string;
}

export interface ApiRow {
  route: string;
  median: number;
  p95: number;
  max: number;
  rps: number;
  errors: number;
  clients: number;
  requests: number;
}

// ---------------------------------------------------------------------------------------------
// The load process.

function request(agent: http.Agent, job: LoadJob): Promise<{ status: number; ms: number; bytes: number; error?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port: job.port,
        path: job.path,
        method: 'GET',
        agent,
        headers: { authorization: `Bearer ${job.token}`, host: `127.0.0.1:${job.port}`, accept: 'application/json' },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, bytes }));
        res.on('error', (err) => resolve({ status: 0, ms: performance.now() - t0, bytes, error: err.message }));
      },
    );
    req.on('error', (err) => resolve({ status: 0, ms: performance.now() - t0, bytes: 0, error: err.message }));
    req.end();
  });
}

/** `clients` loops sharing one counter, each sending its next request as soon as the last one ends. */
async function runClients(agent: http.Agent, job: LoadJob, total: number): Promise<LoadResult> {
  const result: LoadResult = { latencies: [], statuses: {}, wallMs: 0, bodyBytes: 0 };
  let issued = 0;
  const client = async (): Promise<void> => {
    while (issued < total) {
      issued++;
      const r = await request(agent, job);
      result.latencies.push(r.ms);
      result.statuses[r.status] = (result.statuses[r.status] ?? 0) + 1;
      if (r.status === 200) result.bodyBytes = r.bytes;
      else result.firstError ??= r.error ?? `HTTP ${r.status}`;
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: Math.min(job.clients, total) }, client));
  result.wallMs = performance.now() - t;
  return result;
}

async function loadProcess(): Promise<void> {
  process.on('message', async (job: LoadJob) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
    try {
      await runClients(agent, job, job.warmup);
      const result = await runClients(agent, job, job.requests);
      process.send!(result);
    } finally {
      agent.destroy();
    }
  });
  // The parent went away (ended or killed): nothing is left to measure.
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}

// ---------------------------------------------------------------------------------------------
// The server side.



const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function startLoadProcess(): Promise<{ child: ChildProcess; run: (job: LoadJob) => Promise<LoadResult> }> {
  const child = fork(fileURLToPath(import.meta.url), ['--load'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const run = (job: LoadJob) =>
    new Promise<LoadResult>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load process exited (code ${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as LoadResult);
      });
      child.send(job);
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load process exited before it was ready (code ${code})`)));
    child.once('message', () => resolve({ child, run }));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** `count` empty files in `dir`; names that no category or model rule matches, so only the tree sees them. */
function writeWideFolder(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  const width = String(count).length;
  for (let i = 1; i <= count; i++) closeSync(openSync(join(dir, `item_${String(i).padStart(width, '0')}.dat`), 'w'));
}

/** An interrupted run (Ctrl-C, a timeout's SIGTERM) still removes its 100,000-file tree. */
function removeOnSignal(dir: string): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    });
  }
  // Output piped into `head` must not end the run before its cleanup.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

function table(rows: ApiRow[]): string {
  const lines = [
    '| route | clients | requests | median (ms) | p95 (ms) | max (ms) | req/s | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.route} | ${r.clients} | ${r.requests} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.rps.toFixed(0)} | ${r.errors} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const clients = Number(values.clients);
  const requests = Number(values.requests);
  const children = Number(values.children);
  const warmup = Number(values.warmup);
  for (const [name, n, min] of [['clients', clients, 1], ['requests', requests, 1], ['children', children, 0], ['warmup', warmup, 0]] as const) {
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  }
  // Loaded here so the load process never pays for the server's modules.
  const { buildApp } = await import('../server/app.js');
  const { generateDemoProject } = await import('../server/demo/generate.js');
  const { plainConfig } = await import('../server/test-utils/plain-config.js');

  const notes: string[] = [];
  const project = mkdtempSync(join(tmpdir(), 'ckptdash-bench-api-'));
  removeOnSignal(project);
  const load = await startLoadProcess();
  try {
    let t = performance.now();
    await generateDemoProject(project);
    const root = join(project, 'checkpoints');
    writeWideFolder(join(root, WIDE), children);
    const prepareMs = performance.now() - t;

    t = performance.now();
    const config = plainConfig(project, TOKEN, { demo: true });
    // An hour ahead, like the plan benchmark: nothing generated just now counts as being written.
    const app = await buildApp(config, { token: TOKEN, now: () => Date.now() + 3_600_000 });
    try {
      await app.ready();
      await app.ckpt.scan.ready();
      await app.ckpt.models.idle();
      await app.ckpt.project.idle();
      const readyMs = performance.now() - t;
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as AddressInfo).port;
      const s = app.ckpt.scan.summary();
      notes.push(
        `one root: the generated demo plus ${WIDE}/ with ${children.toLocaleString('en')} empty files; ` +
          `${s.files.toLocaleString('en')} files, ${s.dirs.toLocaleString('en')} folders, ${app.ckpt.models.summary().total} checkpoints`,
        `tree built in ${(prepareMs / 1000).toFixed(1)} s; server scanned and idle in ${(readyMs / 1000).toFixed(1)} s`,
        `the server is buildApp from the sources, listening on 127.0.0.1 in this process; ` +
          `the clients run in a separate process over keep-alive connections (node:http Agent, maxSockets = clients); ` +
          `${warmup} warm-up requests per route are not counted`,
        `the tree route asks for ${WIDE}/'s first page the way the web Tree page does: limit=${TREE_PAGE_SIZE} (its page size, web/api/keys.ts), ` +
          `sorted by size, biggest first; further pages are fetched as the grid scrolls`,
      );

      const routes = [
        { route: '/api/summary', path: '/api/summary' },
        // The first page exactly as the Tree page asks for it (its page size, biggest first).
        { route: `/api/tree?path=${WIDE}&limit=${TREE_PAGE_SIZE}`, path: `/api/tree?path=${WIDE}&sort=size&order=desc&offset=0&limit=${TREE_PAGE_SIZE}` },
        { route: '/api/plan?policy=moderate', path: '/api/plan?policy=moderate' },
      ];
      const rows: ApiRow[] = [];
      for (const { route, path } of routes) {
        const r = await load.run({ port, token: TOKEN, path, clients, requests, warmup });
        const errors = requests - (r.statuses['200'] ?? 0);
        rows.push({
          route,
          median: round(median(r.latencies), 2),
          p95: round(quantile(r.latencies, 0.95), 2),
          max: round(Math.max(...r.latencies), 2),
          rps: round(requests / (r.wallMs / 1000), 0),
          errors,
          clients,
          requests,
        });
        notes.push(`${route}: ${(r.bodyBytes / 1024).toFixed(1)} KiB per answer` + (errors ? `; ${errors} errors, first: ${r.firstError}; statuses ${JSON.stringify(r.statuses)}` : ''));
      }

      console.log(`API latency, ${clients} concurrent keep-alive clients, ${requests} requests per route\n`);
      console.log(table(rows));
      console.log('');
      for (const n of notes) console.log(`- ${n}`);
      if (values.json) writeFileSync(values.json, JSON.stringify({ section: 'api', rows, notes }, null, 2) + '\n');
      if (rows.some((r) => r.errors > 0)) process.exitCode = 1;
    } finally {
      await app.close();
    }
  } finally {
    await stopChild(load.child);
    rmSync(project, { recursive: true, force: true });
  }
}

if (values.load) await loadProcess();
else await main();
