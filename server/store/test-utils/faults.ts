// Test-only: a running server with state worth keeping (a user tag that
// protects a model, a journaled deletion, a signed-in session), and the checks
// the state-file fault tests make of it: reads still answered, mutations
// refused with nothing changed, the journal refusing a deletion that got past
// the read-only gate, another process holding the file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { STATE_FILE_NAME } from '../../app.js';
import type { Config } from '../../config.js';
import { Deletions } from '../../cleanup/deletions.js';
import type { ServerEvent } from '../../../shared/schemas/events.js';
import type { ScanService } from '../../scan/scan-service.js';
import { writeTree } from '../../tags/test-utils/rules.js';
import { auth, testApp, testConfig, TEST_TOKEN } from '../../test-utils/app.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const HOLDER = join(repo, 'server/store/test-utils/state-holder.ts');
export const headers = { host: 'localhost', ...auth };
export const asRoot = process.getuid?.() === 0;
// root ignores permission bits; the immutable attribute stops root too.
export const canChattr = !asRoot || spawnSync('chattr', ['--help']).error === undefined;

export const stateFile = (config: Config) => join(config.stateDir, STATE_FILE_NAME);

export interface Running {
  app: FastifyInstance;
  config: Config;
  file: string;
  /** A session cookie taken before the fault. */
  cookie: string;
  notices: Extract<ServerEvent, { type: 'notice' }>[];
}

export async function start(config: Config): Promise<FastifyInstance> {
  const app = await testApp(config);
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  return app;
}

/** A running server with a user tag that protects a model, one journaled deletion and a signed-in session. */
export async function running(config = testConfig()): Promise<Running> {
  await writeTree(config.root, {
    'debug_a/x.pt': { epoch: 1 },
    'debug_b/y.pt': { epoch: 2 },
    'run/final_model.pt': { epoch: 9 },
    'run/best_model.pt': { epoch: 5 },
  });
  const app = await start(config);
  const tagged = await app.inject({ method: 'POST', url: '/api/tags', headers, payload: { path: 'run/best_model.pt', add: ['critical'] } });
  expect(tagged.statusCode, tagged.body).toBe(200);
  const deleted = await app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'debug_b' } });
  expect(deleted.statusCode, deleted.body).toBe(200);
  const signIn = await app.inject({
    method: 'POST',
    url: '/api/session',
    headers: { host: 'localhost', 'content-type': 'application/json' },
    payload: { token: TEST_TOKEN },
  });
  expect(signIn.statusCode).toBe(200);
  const notices: Running['notices'] = [];
  app.ckpt.events.subscribe((s) => {
    if (s.event.type === 'notice') notices.push(s.event);
  });
  return { app, config, file: stateFile(config), cookie: `ckptdash_7878=${signIn.cookies[0].value}`, notices };
}

export async function summaryOf(app: FastifyInstance): Promise<{ readOnly: boolean; readOnlyReason?: string }> {
  const res = await app.inject({ url: '/api/summary', headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Every read route answers, and the user's tag still protects its model. */
export async function expectReads(app: FastifyInstance, opts: { cookie?: string; tags?: boolean } = {}): Promise<void> {
  for (const url of ['/api/summary', '/api/tree?path=', '/api/checkpoints', '/api/journal', '/api/history?range=1h', '/api/plan?policy=conservative']) {
    const res = await app.inject({ url, headers });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  }
  const tree = (await app.inject({ url: '/api/tree?path=', headers })).json();
  expect(tree.entries.map((e: { path: string }) => e.path).sort()).toEqual(['debug_a', 'run']);
  if (opts.tags !== false) {
    const entry = (await app.inject({ url: '/api/entry?path=run%2Fbest_model.pt', headers })).json();
    expect(entry.userTags).toContain('critical');
    expect(entry.protected).toBe(true);
  }
  if (opts.cookie) {
    const res = await app.inject({ url: '/api/summary', headers: { host: 'localhost', cookie: opts.cookie } });
    expect(res.statusCode, res.body).toBe(200);
  }
}

/** Deleting and tagging are refused with a clear code, and nothing changes on disk or in the tags. */
export async function expectRefusals(app: FastifyInstance, root: string): Promise<void> {
  const del = await app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'debug_a' } });
  expect([403, 503], del.body).toContain(del.statusCode);
  expect(['READ_ONLY', 'JOURNAL_UNAVAILABLE']).toContain(del.json().error.code);
  expect(existsSync(join(root, 'debug_a/x.pt'))).toBe(true);
  const tag = await app.inject({ method: 'POST', url: '/api/tags', headers, payload: { path: 'debug_a', add: ['historical'] } });
  expect([403, 503], tag.body).toContain(tag.statusCode);
  const entry = (await app.inject({ url: '/api/entry?path=debug_a', headers })).json();
  expect(entry.userTags).not.toContain('historical');
  const job = await app.inject({ method: 'POST', url: '/api/jobs', headers, payload: { kind: 'delete', params: { items: [{ path: 'debug_a' }] } } });
  expect([403, 503], job.body).toContain(job.statusCode);
  expect(existsSync(join(root, 'debug_a/x.pt'))).toBe(true);
}

/** A deletion that got past the read-only check before the fault: the journal refuses it and nothing is removed. */
export async function expectJournalRefuses(app: FastifyInstance, root: string): Promise<void> {
  const c = app.ckpt;
  const scan = c.scan as unknown as ScanService;
  const pastTheGate = new Deletions({
    index: () => scan.index,
    tags: c.tags,
    rootFs: c.rootFs,
    journal: c.journal,
    refresh: (p) => scan.applyPath(p),
    isReadOnly: () => false,
    referencesReady: () => true,
  });
  await expect(pastTheGate.delete({ path: 'debug_a' })).rejects.toMatchObject({ statusCode: 503, code: 'JOURNAL_UNAVAILABLE' });
  expect(existsSync(join(root, 'debug_a/x.pt'))).toBe(true);
}

/** Starts the holder process on the state file; resolves with what it got (`locked` or `refused <code>`). */
export function holder(file: string): Promise<{ child: ChildProcess; said: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, file], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    child.stdout!.once('data', (b: Buffer) => done({ child, said: b.toString().trim() }));
    child.once('exit', (code) => fail(new Error(`the holder ended (${code}) before saying anything`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

/** Makes the paths unwritable for this process (immutable when root, whom modes do not stop); returns the undo. */
export function makeReadOnly(paths: string[]): () => void {
  if (asRoot) {
    const r = spawnSync('chattr', ['+i', ...paths], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return () => void spawnSync('chattr', ['-i', ...paths]);
  }
  for (const p of paths) chmodSync(p, p.endsWith(STATE_FILE_NAME) ? 0o400 : 0o500);
  return () => {
    for (const p of paths) chmodSync(p, p.endsWith(STATE_FILE_NAME) ? 0o600 : 0o700);
  };
}

export async function waitFor<T>(what: string, get: () => T | undefined, ms = 6_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

