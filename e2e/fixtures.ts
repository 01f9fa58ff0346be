import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from '@playwright/test';

// Real servers on real temporary trees: each spec file starts its own
// `bin/ckptdash.js` (built by `npm run build`) and stops only that process.

const BIN = resolve('bin/ckptdash.js');
const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/;
const START_TIMEOUT_MS = 60_000;
/** Server output kept for error messages; the pipe keeps being drained so the server never blocks on it. */
const OUTPUT_KEEP = 64 * 1024;

export interface RunningServer {
  /** The printed link, token included. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  token: string;
  stop: () => Promise<void>;
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function makeTempDir(prefix = 'ckptdash-e2e-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a file of `bytes` apparent size; sparse, so 40 GB cost no disk. Optionally dated `ageMs` ago. */
export function writeFile(root: string, rel: string, bytes = 0, ageMs?: number): void {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  closeSync(openSync(file, 'w'));
  if (bytes > 0) truncateSync(file, bytes);
  if (ageMs !== undefined) {
    const t = new Date(Date.now() - ageMs);
    utimesSync(file, t, t);
  }
}

/** `count` empty files `name_1 … name_count` in one folder, fast enough for 100,000. */
export function writeManyFiles(root: string, rel: string, count: number, name = 'file_'): void {
  const dir = join(root, rel);
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= count; i++) closeSync(openSync(join(dir, `${name}${i}.bin`), 'w'));
}

export interface StartOptions {
  /** The checkpoints folder to serve; omitted, the server generates and serves the demo. */
  checkpoints?: string;
  /** Where the server keeps its state; a folder outside the checkpoints tree. */
  state: string;
  /** Working directory (the demo mode looks for ./checkpoints there first). */
  cwd?: string;
  env?: Record<string, string>;
  args?: string[];
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('base64url');
  const args = [
    BIN,
    ...(options.checkpoints ? [options.checkpoints] : []),
    '--port',
    '0',
    '--no-open',
    // One argument: a base64url token may start with "-", which a separate argument would turn into a flag.
    `--token=${token}`,
    '--state',
    options.state,
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? dirname(options.state),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let printed: ((url: string) => void) | null = null;
  // Both streams stay drained for the server's whole life, so it never blocks on a full pipe.
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP);
    const match = URL_LINE.exec(output);
    if (match && printed) printed(match[0]);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onExit = (code: number | null, signal: string | null) =>
      fail(new Error(`server exited early (code ${code}, signal ${signal})`));
    const timer = setTimeout(() => fail(new Error(`no URL printed within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const settle = () => {
      printed = null;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', fail);
    };
    function fail(err: Error) {
      settle();
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- server output ---\n${output}`));
    }
    printed = (found) => {
      settle();
      resolveUrl(found);
    };
    child.once('error', fail);
    child.once('exit', onExit);
  });
  const match = URL_LINE.exec(url)!;
  return { url, origin: match[1], token: match[2], stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL if the server has not exited in 5 s; only this child is touched. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** A server started by `serveTree` or `serveDemo`; read its fields inside tests, once beforeAll has run. */
export interface ServedTree {
  readonly server: RunningServer;
  /** The served checkpoints folder (for the demo, where the demo is generated). */
  readonly root: string;
}

/**
 * Registers beforeAll/afterAll in the current file or describe block: `build` fills a fresh
 * `<tmp>/checkpoints`, a server serves it with its state in `<tmp>/state`, and afterwards the
 * server is stopped and the temporary folder removed.
 */
export function serveTree(build: (root: string) => void): ServedTree {
  return serve('ckptdash-e2e-', undefined, (dir) => {
    const root = `${dir}/checkpoints`;
    build(root);
    return { root, options: { checkpoints: root, state: `${dir}/state` } };
  });
}

/** Like `serveTree` for the generated demo: no folder argument and no ./checkpoints in the working directory. */
export function serveDemo({ prefix = 'ckptdash-e2e-', timeoutMs }: { prefix?: string; timeoutMs?: number } = {}): ServedTree {
  return serve(prefix, timeoutMs, (dir) => ({
    root: `${dir}/demo`,
    options: { state: `${dir}/state`, cwd: dir, env: { CKPTDASH_DEMO_DIR: `${dir}/demo` } },
  }));
}

function serve(
  prefix: string,
  timeoutMs: number | undefined,
  prepare: (dir: string) => { root: string; options: StartOptions },
): ServedTree {
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  let server: RunningServer | undefined;
  let root: string | undefined;
  test.beforeAll(async () => {
    if (timeoutMs !== undefined) test.setTimeout(timeoutMs);
    tmp = makeTempDir(prefix);
    const prepared = prepare(tmp.dir);
    root = prepared.root;
    server = await startServer(prepared.options);
  });
  test.afterAll(async () => {
    await server?.stop();
    tmp?.remove();
  });
  return {
    get server() {
      if (!server) throw new Error('the server is not running (read it inside a test)');
      return server;
    },
    get root() {
      if (root === undefined) throw new Error('the tree is not built yet (read it inside a test)');
      return root;
    },
  };
}
