// Load on loopback, bounded: a real server process with 50 open event
// streams, a writer churning about 1,000 files a second for 30 s in the
// checkpoints folder, and 200 keep-alive API clients on the read routes over
// the same 30 s. No crash, no 5xx, memory bounded, every stream stays open;
// once the writer stops and the watcher settles, the tree each stream's events
// describe (patched as the web app patches its cache) and the tree the API
// answers both equal the disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../shared/schemas/events.js';
import { testApp, testConfig, TEST_TOKEN } from './test-utils/app.js';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SERVER = join(repo, 'server/test-utils/serve-child.ts');
const WRITER = join(repo, 'server/test-utils/churn-writer.ts');
const TOKEN = 'load-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

const STREAMS = 50;
const CLIENTS = 200;
const SECONDS = 30;
const RATE = 1_000;
/** Generous: the server's resident memory may grow by this much over its idle baseline. */
const RSS_GROWTH_LIMIT = 300 * 1024 * 1024;
/** The watcher has settled when no stream got an event for this long. */
const QUIET_MS = 3_000;

const ROUTES = [
  '/api/summary',
  '/api/tree?path=live&sort=size',
  '/api/tree?path=live%2Fd3&sort=name',
  '/api/tree?path=run_1&sort=mtime',
  '/api/tree?path=&tag=intermediate',
  '/api/entry?path=run_2%2Fcheckpoint_epoch3.pt',
  '/api/checkpoints',
  '/api/history?range=1h',
  '/api/plan?policy=conservative',
  '/api/journal',
];

/** What the comparison looks at: kind, apparent bytes and regular-file count of every entry, by path. */
type Tree = Map<string, { kind: string; bytes: number; files: number }>;

/** The disk as a fresh scan sees it (no links or special files here). */
function diskTree(root: string): Tree {
  const out: Tree = new Map();
  const walk = (abs: string, rel: string): { bytes: number; files: number } => {
    const st = lstatSync(abs);
    if (!st.isDirectory()) {
      out.set(rel, { kind: 'file', bytes: st.size, files: 1 });
      return { bytes: st.size, files: 1 };
    }
    let bytes = 0;
    let files = 0;
    for (const name of readdirSync(abs)) {
      const t = walk(join(abs, name), rel === '' ? name : `${rel}/${name}`);
      bytes += t.bytes;
      files += t.files;
    }
    out.set(rel, { kind: 'dir', bytes, files });
    return { bytes, files };
  };
  walk(root, '');
  return out;
}

/** The differences between two trees, a few of them, readable. */
function differences(got: Tree, want: Tree): string[] {
  const out: string[] = [];
  for (const [p, w] of want) {
    const g = got.get(p);
    if (!g) out.push(`missing ${JSON.stringify(p)}`);
    else if (g.kind !== w.kind || g.bytes !== w.bytes || g.files !== w.files) out.push(`${JSON.stringify(p)}: ${JSON.stringify(g)} != ${JSON.stringify(w)}`);
  }
  for (const p of got.keys()) if (!want.has(p)) out.push(`extra ${JSON.stringify(p)}`);
  return out.slice(0, 10);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: AUTH, agent, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${path}`)));
    req.on('error', fail);
  });
}

async function getJson<T>(port: number, path: string): Promise<T> {
  const res = await get(port, path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as T;
}

/** Every entry the API lists, folder by folder, page by page: what a client that refetches everything sees. */
async function apiTree(port: number): Promise<Tree> {
  const out: Tree = new Map();
  const root = await getJson<{ kind: string; bytes: number; files: number }>(port, '/api/entry?path=');
  out.set('', { kind: root.kind, bytes: root.bytes, files: root.files });
  const folders = [''];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    for (let offset = 0; ; offset += 5000) {
      const page = await getJson<{ total: number; entries: { path: string; kind: string; bytes: number; files: number }[] }>(
        port,
        `/api/tree?path=${encodeURIComponent(folder)}&sort=name&order=asc&limit=5000&offset=${offset}`,
      );
      for (const e of page.entries) {
        out.set(e.path, { kind: e.kind, bytes: e.bytes, files: e.files });
        if (e.kind === 'dir') folders.push(e.path);
      }
      if (offset + 5000 >= page.total) break;
    }
  }
  return out;
}

/** One open event stream and the tree its events describe, patched as the web app patches its cache. */
class Stream {
  tree: Tree;
  events = 0;
  resets = 0;
  hello = false;
  closed = false;
  lastEventAt = Date.now();
  private buffer = '';
  private readonly req: http.ClientRequest;

  constructor(port: number, start: Tree) {
    this.tree = new Map(start);
    this.req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: AUTH, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        this.closed = true;
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.take(chunk));
      res.on('close', () => (this.closed = true));
    });
    this.req.on('error', () => (this.closed = true));
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      for (const line of frame.split('\n')) if (line.startsWith('data: ')) this.apply(JSON.parse(line.slice(6)) as ServerEvent);
    }
  }

  private apply(event: ServerEvent): void {
    this.events++;
    this.lastEventAt = Date.now();
    if (event.type === 'hello') this.hello = true;
    // Nothing can be patched after a reset: the client refetches everything (see refetch()).
    if (event.type === 'reset') this.resets++;
    if (event.type !== 'tree') return;
    // Removals first, then upserts (a path in both was replaced).
    for (const gone of event.removed) {
      const was = this.tree.get(gone);
      this.tree.delete(gone);
      if (was?.kind === 'dir') for (const p of [...this.tree.keys()]) if (p.startsWith(`${gone}/`)) this.tree.delete(p);
    }
    for (const e of event.upserts) this.tree.set(e.path, { kind: e.kind, bytes: e.bytes, files: e.files });
  }

  close(): void {
    this.req.destroy();
  }
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function lineFrom(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        done(m);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => fail(new Error(`${what} ended (${code ?? signal}) before saying ${pattern}: ${out}`)));
  });
}

describe('the server under load on loopback', () => {
  it(`${STREAMS} event streams, ${CLIENTS} API clients and a writer at ~${RATE} files/s for ${SECONDS} s`, async () => {
    const { project, root } = testConfig();
    for (let r = 0; r < 20; r++) {
      mkdirSync(join(root, `run_${r}`));
      for (let f = 0; f < 50; f++) writeFileSync(join(root, `run_${r}`, `checkpoint_epoch${f}.pt`), Buffer.alloc(f * 10, 3));
    }
    const server = spawn(process.execPath, ['--import', 'tsx', SERVER, project, TOKEN], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    const streams: Stream[] = [];
    let writer: ChildProcess | undefined;
    try {
      const port = Number((await lineFrom(server, /ready (\d+)\n/, 'the server'))[1]);
      const baseline = rssOf(server.pid!);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server.pid!))), 200);

      const start = await apiTree(port);
      expect(differences(start, diskTree(root))).toEqual([]);
      for (let i = 0; i < STREAMS; i++) streams.push(new Stream(port, start));
      for (let i = 0; i < 100 && !streams.every((s) => s.hello); i++) await new Promise((r) => setTimeout(r, 50));
      expect(streams.every((s) => s.hello)).toBe(true);

      writer = spawn(process.execPath, ['--import', 'tsx', WRITER, root, String(SECONDS), String(RATE)], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
      const written = lineFrom(writer, /done (\d+)\n/, 'the writer');
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      const deadline = Date.now() + SECONDS * 1000;
      let requests = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          for (let i = c; Date.now() < deadline; i++) {
            const path = ROUTES[i % ROUTES.length];
            try {
              const res = await get(port, path);
              requests++;
              statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
              if (res.status >= 500 || (res.status !== 200 && res.status !== 404)) failures.push(`${path}: ${res.status} ${res.body.slice(0, 200)}`);
            } catch (err) {
              failures.push(`${path}: ${(err as Error).message}`);
            }
          }
        }),
      );
      const ops = Number((await written)[1]);

      // The watcher settles: no stream hears anything for a while.
      const settleFrom = Date.now();
      while (Date.now() - Math.max(...streams.map((s) => s.lastEventAt)) < QUIET_MS && Date.now() - settleFrom < 60_000) {
        await new Promise((r) => setTimeout(r, 200));
      }
      clearInterval(sampler);
      const disk = diskTree(root);

      const report = {
        requests,
        statuses: Object.fromEntries(statuses),
        writerOps: ops,
        events: streams[0].events,
        resets: streams.reduce((n, s) => n + s.resets, 0),
        baselineMB: Math.round(baseline / 2 ** 20),
        peakMB: Math.round(peak / 2 ** 20),
        settleMs: Date.now() - settleFrom,
        entries: disk.size,
      };
      console.log(`load: ${JSON.stringify(report)}`);

      expect(failures.slice(0, 10)).toEqual([]);
      expect(server.exitCode, 'the server is still running').toBeNull();
      expect(ops).toBeGreaterThan(SECONDS * RATE * 0.8);
      expect(requests).toBeGreaterThan(CLIENTS * 5);
      expect(peak - baseline, `peak ${report.peakMB} MB over a baseline of ${report.baselineMB} MB`).toBeLessThan(RSS_GROWTH_LIMIT);
      expect(streams.filter((s) => s.closed).length, 'streams closed by the server').toBe(0);
      // What a client holds: its patched cache, or after a reset what it refetches. A last event may
      // still be on its way after the quiet spell: every stream must agree with the disk within 20 s.
      const behind = async () => {
        const api = await apiTree(port);
        const out = streams.map((st, i) => ({ i, diff: differences(st.resets > 0 ? api : st.tree, disk) })).filter((x) => x.diff.length > 0);
        const apiDiff = differences(api, disk);
        return { out, apiDiff };
      };
      let state = await behind();
      for (const until = Date.now() + 20_000; (state.out.length > 0 || state.apiDiff.length > 0) && Date.now() < until; state = await behind()) {
        await new Promise((r) => setTimeout(r, 500));
      }
      for (const { i, diff } of state.out) expect(diff, `stream ${i}`).toEqual([]);
      expect(state.apiDiff).toEqual([]);
    } finally {
      for (const s of streams) s.close();
      writer?.kill('SIGKILL');
      agent.destroy();
      const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
      server.kill('SIGTERM');
      expect(await exited, 'the server closed cleanly').toBe(0);
    }
  });
});

/** Opens an event stream, optionally resuming after `lastId`; resolves with the first frames (ids and types). */
function firstFrames(port: number, lastId: string, count: number): Promise<{ id?: string; type: string }[]> {
  return new Promise((done, fail) => {
    const frames: { id?: string; type: string }[] = [];
    let buffer = '';
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/events', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'last-event-id': lastId }, agent: false },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buffer += c;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0 && frames.length < count) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (.+)$/m.exec(frame)?.[1];
            const data = /^data: (.+)$/m.exec(frame)?.[1];
            if (data) frames.push({ id, type: (JSON.parse(data) as ServerEvent).type });
          }
          if (frames.length >= count) {
            req.destroy();
            done(frames);
          }
        });
      },
    );
    req.on('error', (e) => (frames.length >= count ? undefined : fail(e)));
  });
}

describe('an event stream whose client stopped reading', () => {
  it('is cut off once its backlog passes a bound, and comes back with Last-Event-ID: replayed, or reset when too far behind', async () => {
    const app = await testApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const hub = app.ckpt.events;
    // A client that reads the stream's start, then never reads again (a laptop asleep behind a tunnel).
    const sock = net.connect(port, '127.0.0.1');
    sock.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`);
    const helloId = await new Promise<string>((done) => {
      let head = '';
      const onData = (b: Buffer) => {
        head += b.toString();
        const m = /id: (\S+)\ndata: \{"type":"hello"/.exec(head);
        if (m) {
          sock.off('data', onData);
          sock.pause();
          done(m[1]);
        }
      };
      sock.on('data', onData);
    });
    const message = 'x'.repeat(16 * 1024);
    let published = 0;
    try {
      expect(hub.listeners).toBe(1);
      while (hub.listeners > 0 && published < 4000) {
        hub.publish({ type: 'notice', level: 'info', code: 'LOAD', message });
        if (++published % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      // Cut off well before everything published was buffered for it: the server's memory stays bounded.
      expect(hub.listeners).toBe(0);
    } finally {
      sock.destroy();
    }
    expect(published * message.length).toBeLessThan(64 * 1024 * 1024);

    // Back soon: what it missed is replayed from where it stopped.
    const seq = Number(helloId.split('.')[1]);
    const replay = await firstFrames(port, helloId, 3);
    expect(replay.map((f) => f.type)).toEqual(['hello', 'notice', 'notice']);
    expect(replay[1].id).toBe(`${hub.serverId}.${seq + 1}`);
    // Back after more than the server keeps: told to refetch everything.
    for (let i = 0; i < 2100; i++) hub.publish({ type: 'notice', level: 'info', code: 'LOAD', message: 'small' });
    const late = await firstFrames(port, helloId, 2);
    expect(late.map((f) => f.type)).toEqual(['hello', 'reset']);
  });
});
