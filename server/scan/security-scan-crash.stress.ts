// SIGKILL during the first scan, again and again at different moments, while
// the server also writes to its state file: after a restart the scan reaches
// `ready` with the totals of a fresh scan, the state file opens and passes its
// integrity check, every protected model is still protected (user tags and
// references) and the journal holds what it held, with nothing left pending.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { STATE_FILE_NAME } from '../app.js';
import { writeTree } from '../tags/test-utils/rules.js';
import { auth, testApp, testConfig } from '../test-utils/app.js';
import { ScanService } from './scan-service.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CHILD = join(repo, 'server/scan/test-utils/scan-crash-child.ts');
const headers = { host: 'localhost', ...auth };

const RUNS = 60;
const FILES_PER_RUN = 1_000;
/** Where each round kills the child: a share of the tree's entries seen by the scan (0: before the first batch). */
const KILL_AT = [0, 0.2, 0.45, 0.7, 0.9];

/** Runs the child and SIGKILLs it once its scan has seen `atEntries`; resolves with the last line it printed. */
function killDuringScan(project: string, atEntries: number): Promise<{ last: string; signal: NodeJS.Signals | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, project], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let last = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const m = /^entries (\d+) (\w+)$/.exec(line);
        const started = line === 'started' && atEntries === 0;
        if (started || (m && (Number(m[1]) >= atEntries || m[2] === 'ready'))) {
          last = line;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', fail);
    child.on('exit', (_code, signal) => done({ last, signal }));
  });
}

function integrity(file: string): string {
  const db = new Database(file);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

async function journalEntries(app: FastifyInstance): Promise<{ path: string; result: string }[]> {
  const res = await app.inject({ url: '/api/journal', headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().sessions.flatMap((s: { entries: { path: string; result: string }[] }) => s.entries);
}

describe('a server killed with SIGKILL during its first scan', () => {
  it(`restarts to a scan equal to a fresh one, with its state intact (${KILL_AT.length} kills)`, async () => {
    const config = testConfig();
    const { root, project } = config;
    // A large-ish tree: many runs full of small event logs (the scan's work, not the model
    // readers'), and the models that matter.
    for (let r = 0; r < RUNS; r++) {
      const dir = join(root, `sweep_${r}`, 'run');
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < FILES_PER_RUN; f++) writeFileSync(join(dir, `events.${f}.tfevents`), f % 10 === 0 ? 'w'.repeat(f) : '');
    }
    await writeTree(root, {
      'keep/best_model.pt': { epoch: 5 },
      'history/run/final_model.pt': { epoch: 9 },
      'pinned/final_model.pt': { epoch: 7 },
      'debug_old/x.pt': { epoch: 1 },
      'debug_two/y.pt': { epoch: 2 },
    });
    mkdirSync(join(project, 'configs'));
    writeFileSync(join(project, 'configs', 'ensemble.json'), JSON.stringify({ members: ['checkpoints/pinned/final_model.pt'] }));

    // Before any crash: the user's tags and one journaled deletion.
    const first = await testApp(config);
    await first.ckpt.scan.ready();
    await first.ckpt.project.idle();
    for (const [path, tag] of [['keep/best_model.pt', 'critical'], ['history', 'historical']]) {
      const res = await first.inject({ method: 'POST', url: '/api/tags', headers, payload: { path, add: [tag] } });
      expect(res.statusCode, res.body).toBe(200);
    }
    const del = await first.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'debug_old' } });
    expect(del.statusCode, del.body).toBe(200);
    const journalBefore = await journalEntries(first);
    await first.close();

    const total = RUNS * (FILES_PER_RUN + 2) + 9;
    const stateFile = join(config.stateDir, STATE_FILE_NAME);
    const moments: string[] = [];
    for (const share of KILL_AT) {
      const { last, signal } = await killDuringScan(project, Math.floor(total * share));
      expect(signal).toBe('SIGKILL');
      moments.push(last);
      expect(integrity(stateFile), `after the kill at ${last}`).toBe('ok');
    }
    // The kills landed at different moments of the scan, most of them before it was ready.
    expect(new Set(moments).size, moments.join(' | ')).toBe(KILL_AT.length);
    expect(moments.filter((m) => m.endsWith('scanning') || m === 'started').length, moments.join(' | ')).toBeGreaterThanOrEqual(3);

    const app = await testApp(config);
    await app.ckpt.scan.ready();
    await app.ckpt.project.idle();
    expect(app.ckpt.store.problem).toBeUndefined();
    expect(app.ckpt.readOnly).toBe(false);

    const fresh = new ScanService(root, { workers: 2 });
    fresh.start();
    await fresh.ready();
    const { startedAt: _a, finishedAt: _b, ...restarted } = app.ckpt.scan.summary();
    const { startedAt: _c, finishedAt: _d, ...expected } = fresh.summary();
    await fresh.close();
    expect(restarted).toEqual({ ...expected, state: 'ready' });
    expect(restarted.files).toBe(RUNS * FILES_PER_RUN + 4);

    // Nothing protected lost: the user's tags and the config's reference still protect their models.
    for (const [path, why] of [
      ['keep/best_model.pt', 'tag critical'],
      ['history/run/final_model.pt', 'inside history (tag historical)'],
      ['pinned/final_model.pt', 'configs/ensemble.json'],
    ]) {
      expect(existsSync(join(root, path)), path).toBe(true);
      const e = (await app.inject({ url: `/api/entry?path=${encodeURIComponent(path)}`, headers })).json();
      expect(e.protected, path).toBe(true);
      expect(e.protectedBy.join(' '), path).toContain(why);
    }
    // The journal is what it was: the one deletion, done, nothing pending, and the disk agrees.
    const journal = await journalEntries(app);
    expect(journal).toEqual(journalBefore);
    expect(journal.map((e) => [e.path, e.result])).toEqual([['debug_old', 'deleted']]);
    expect(existsSync(join(root, 'debug_old'))).toBe(false);
    // Still writable: a deletion after the crashes is journaled like any other.
    const after = await app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'debug_two' } });
    expect(after.statusCode, after.body).toBe(200);
    expect((await journalEntries(app)).map((e) => e.result)).toEqual(['deleted', 'deleted']);
  });
});
