// A small project for the hostile-request tests: real checkpoints, a built-like
// web folder, sentinel files outside the root (one in a sibling folder sharing
// the root's prefix), every registered route with a body that would change
// something if it got through, and a snapshot of everything a request could
// change: files (size, mtime, hash), user tags, notes, journal, jobs, backups.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { writeTree } from '../tags/test-utils/rules.js';
import type { BuildOptions } from '../app.js';
import { auth, testApp, testConfig, TEST_TOKEN } from './app.js';

export const HOST = '127.0.0.1:7878';
export const ORIGIN = `http://${HOST}`;
export const COOKIE_NAME = 'ckptdash_7878';
export const ASSET = '/assets/app-1a2b3c.js';
export const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface Hostile {
  app: FastifyInstance;
  project: string;
  root: string;
  webDir: string;
  /** Files outside the root (and outside the web folder) with their expected contents. */
  sentinels: Record<string, string>;
}

/** Builds the project and the app over it, scanned, read and with its references loaded. */
export async function hostileApp(opts: BuildOptions = {}): Promise<Hostile> {
  const config = testConfig();
  const root = config.root;
  const project = config.project;
  await writeTree(root, {
    'run1/checkpoint_epoch1.pt': { epoch: 1 },
    'run1/final_model.pt': { epoch: 2 },
    'debug_a/x.pt': { epoch: 1 },
    'notes.txt': { text: 'notes\n' },
  });
  const webDir = join(project, 'web');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>ckptdash</title><div id="root"></div>');
  writeFileSync(join(webDir, ASSET.slice(1)), 'document.title = "app";\n');
  const sentinels: Record<string, string> = {};
  for (const file of [join(project, 'sentinel.pt'), join(`${root}-evil`, 'x.pt'), join(`${webDir}-evil`, 'secret.txt'), join(project, 'secret.txt')]) {
    mkdirSync(dirname(file), { recursive: true });
    sentinels[file] = `SENTINEL ${relative(project, file)}`;
    writeFileSync(file, sentinels[file]);
  }
  const app = await testApp(config, { webDir, ...opts });
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  return { app, project, root, webDir, sentinels };
}

export function expectSentinelsIntact(h: Hostile): void {
  for (const [file, text] of Object.entries(h.sentinels)) expect(readFileSync(file, 'utf8'), file).toBe(text);
}

/** A request target: one registered route with its parameters filled in. */
export interface Target {
  method: string;
  url: string;
  /** The route as registered (`/api/jobs/:id`). */
  route: string;
  public: boolean;
  mutates: boolean;
}

/** Every registered route (pages, the static files, the event stream), so a new route is covered without a new test. */
export function targets(app: FastifyInstance): Target[] {
  const out: Target[] = [];
  for (const r of app.ckpt.routes) {
    if (r.method === 'OPTIONS') continue;
    const urls = r.url.includes('*') ? [r.url.replace('*', 'index.html'), r.url.replace('/*', ASSET)] : [r.url.replace(/:[A-Za-z]+/g, 'x')];
    for (const url of urls) out.push({ method: r.method, url, route: r.url, public: r.public, mutates: r.mutates });
  }
  return out;
}

export const apiTargets = (app: FastifyInstance) => targets(app).filter((t) => t.url.startsWith('/api/'));

/** Distinct URLs of the API, to try every method on each. */
export const apiUrls = (app: FastifyInstance) => [...new Set(apiTargets(app).map((t) => t.url))];

/** Bodies that change something when a request is let through; any other route gets `{}`. */
const BODIES: Record<string, unknown> = {
  'POST /api/session': { token: TEST_TOKEN },
  'POST /api/tags': { path: 'run1/final_model.pt', add: ['historical'], note: 'changed' },
  'POST /api/deletions': { path: 'debug_a' },
  'POST /api/jobs': { kind: 'delete', params: { items: [{ path: 'debug_a' }] } },
};

export function bodyFor(method: string, route: string): unknown {
  return BODIES[`${method} ${route}`] ?? {};
}

/**
 * `app.inject` that fails instead of hanging when a request is let through
 * to the event stream (which never ends).
 */
export async function hit(app: FastifyInstance, opts: InjectOptions, ms = 5_000): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${opts.method ?? 'GET'} ${String(opts.url)}: the request was let through`)), ms);
  });
  try {
    return await Promise.race([app.inject(opts), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `method url` with the route's mutating body (for body methods) and the given headers over a loopback Host. */
export function send(app: FastifyInstance, t: { method: string; url: string; route?: string }, headers: Record<string, string | string[]>, extra: Partial<InjectOptions> = {}) {
  const withBody = (BODY_METHODS as readonly string[]).includes(t.method);
  return hit(app, {
    method: t.method as InjectOptions['method'],
    url: t.url,
    headers: { host: HOST, ...(withBody ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(withBody ? { payload: JSON.stringify(bodyFor(t.method, t.route ?? t.url)) } : {}),
    ...extra,
  });
}

/** Signs in through POST /api/session and returns the Cookie header value. */
export async function signIn(app: FastifyInstance): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/session',
    headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/json' },
    payload: { token: TEST_TOKEN },
  });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = res.cookies.find((c) => c.name === COOKIE_NAME);
  expect(cookie).toBeDefined();
  return `${COOKIE_NAME}=${cookie!.value}`;
}

function filesUnder(dir: string, base: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const abs = join(dir, name);
    const rel = relative(base, abs);
    if (rel === '.ckptdash') continue;
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      out.push(`${rel}/`);
      filesUnder(abs, base, out);
    } else {
      const hash = st.isFile() ? createHash('sha256').update(readFileSync(abs)).digest('hex') : 'link';
      out.push(`${rel} ${st.size} ${st.mtimeMs} ${hash}`);
    }
  }
}

async function getJson(app: FastifyInstance, url: string): Promise<any> {
  const res = await app.inject({ url, headers: { host: HOST, ...auth } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}

/** Every entry the API lists, with its user tags and note. */
async function listedTags(app: FastifyInstance, path: string, out: string[]): Promise<void> {
  const page = await getJson(app, `/api/tree?limit=5000&path=${encodeURIComponent(path)}`);
  for (const e of page.entries) {
    out.push(`${e.path} [${e.userTags.join(',')}] ${e.note ?? ''}`);
    if (e.kind === 'dir') await listedTags(app, e.path, out);
  }
}

/** Everything a request could change: the project's files, and the state as the store and the API show it. */
export async function snapshot(h: Hostile): Promise<Record<string, unknown>> {
  const files: string[] = [];
  filesUnder(h.project, h.project, files);
  const db = h.app.ckpt.store.db;
  const tags: string[] = [];
  await listedTags(h.app, '', tags);
  return {
    files,
    userTags: db.prepare('SELECT path, tag FROM user_tags ORDER BY path, tag').all(),
    notes: db.prepare('SELECT path, note FROM notes ORDER BY path').all(),
    journal: db.prepare('SELECT * FROM journal ORDER BY id').all(),
    listed: tags,
    apiJournal: (await getJson(h.app, '/api/journal')).sessions,
    jobs: (await getJson(h.app, '/api/jobs')).items.map((j: { id: string; kind: string; state: string }) => `${j.id} ${j.kind} ${j.state}`),
    backups: (await getJson(h.app, '/api/backups')).items.map((b: { name: string }) => b.name),
  };
}

/** Listens on a free loopback port (for what inject cannot do: the open event stream, raw bytes). */
export async function listening(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('not listening');
  return addr.port;
}

/** Opens the event stream, reads the status, headers and first bytes, then hangs up. */
export function openStream(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      const done = () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      };
      res.on('data', (c: Buffer) => {
        body += c.toString();
        if (res.statusCode !== 200 || body.includes('"hello"')) done();
      });
      res.on('end', done);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error(`no answer from ${path}`)));
    req.end();
  });
}
