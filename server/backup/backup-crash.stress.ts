// A backup killed with SIGKILL mid-way (no handler runs): what it leaves must
// never look like a backup, and the next start cleans it once it is stale.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auth, testApp, testConfig } from '../test-utils/app.js';
import { removeStalePartials } from './backups-dir.js';
import { BackupCatalog } from './read.js';
import { age, makeProject, sources } from './test-utils/project.js';
import { writeBackup } from './writer.js';

const CHILD = fileURLToPath(new URL('./test-utils/backup-child.ts', import.meta.url));
const BIG = 2 * 1024 * 1024 * 1024;
const ROUNDS = 3;

/** Runs the child backup and SIGKILLs it once it reports `killAt` bytes written; resolves with what it printed. */
function killMidway(args: object, killAt: number): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = [...out.matchAll(/progress (\d+)/g)].at(-1);
      if (m && Number(m[1]) >= killAt) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ out, signal }));
  });
}

describe('a backup killed with SIGKILL', () => {
  it('leaves only a .partial: never listed, removed once stale, and the next backup is whole', async () => {
    const p = makeProject();
    const big = join(p.root, 'run/session1/seed1/final_model.pt');
    mkdirSync(join(p.root, 'run/session1/seed1'), { recursive: true });
    closeSync(openSync(big, 'w'));
    truncateSync(big, BIG);
    age(big);
    const catalog = new BackupCatalog({ project: p.project, root: p.root });
    for (let round = 0; round < ROUNDS; round++) {
      const r = await killMidway({ project: p.project, root: p.root, paths: ['run/session1/seed1/final_model.pt'] }, (round + 1) * 256 * 1024 * 1024);
      expect(r.signal).toBe('SIGKILL');
      expect(r.out).not.toMatch(/"ok":true/);
      const left = readdirSync(p.backups);
      expect(left.length).toBe(round + 1);
      expect(left.every((n) => n.endsWith('.tar.gz.partial'))).toBe(true);
      expect(await catalog.list()).toEqual([]);
    }
    // A server restarted after the kills lists no backup: a .partial is never shown as one, and
    // at start it is left alone (under an hour old it may be another server's backup in progress).
    const config = { ...testConfig(), project: p.project, root: p.root, stateDir: join(p.project, '.ckptdash') };
    const app = await testApp(config, { startScan: false });
    const listed = await app.inject({ url: '/api/backups', headers: { host: 'localhost', ...auth } });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items).toEqual([]);
    expect(readdirSync(p.backups).length).toBe(ROUNDS);
    await app.close();
    // Within the hour they could still be someone's backup in progress; after it, they are debris.
    expect(removeStalePartials(p.project, p.root)).toEqual([]);
    const partials = readdirSync(p.backups).sort();
    expect(removeStalePartials(p.project, p.root, Date.now() + 2 * 3_600_000).sort()).toEqual(partials);
    expect(readdirSync(p.backups)).toEqual([]);

    const small = join(p.root, 'run/session1/seed1/best_model.pt');
    writeFileSync(small, 'weights');
    age(small);
    const done = await writeBackup({ project: p.project, root: p.root, rootFs: p.rootFs, files: sources(p.root, ['run/session1/seed1/best_model.pt']) });
    expect((await catalog.list()).map((b) => [b.name, b.error])).toEqual([[done.file, undefined]]);
  });
});
