// SIGKILL in the middle of a category deletion: after a restart the journal
// and the disk agree, nothing protected is lost, and the plan shows what is left.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auth, testApp, testConfig } from '../test-utils/app.js';
import { writeTree } from '../tags/test-utils/rules.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const headers = { host: 'localhost', ...auth };

describe('a crash during a category deletion', () => {
  it('leaves journal and disk in agreement, and the protected model in place', async () => {
    const config = testConfig();
    const files: Record<string, { epoch?: number; text?: string }> = { 'run/final_model.pt': { epoch: 9 } };
    for (let d = 0; d < 40; d++) for (let f = 0; f < 25; f++) files[`debug_${d}/f${f}.log`] = { text: 'x'.repeat(100) };
    await writeTree(config.root, files);
    mkdirSync(join(config.project, 'configs'));
    writeFileSync(join(config.project, 'configs', 'keep.json'), JSON.stringify({ model: 'checkpoints/debug_39/f0.log' }));

    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'server/cleanup/test-utils/delete-child.ts'), config.project], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((done, fail) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('deleting')) {
          child.kill('SIGKILL');
          done();
        }
      });
      child.on('exit', () => fail(new Error(`the child ended before deleting: ${out}`)));
    });
    await new Promise((r) => child.on('close', r));

    const app = await testApp(config);
    await app.ckpt.scan.ready();
    await app.ckpt.project.idle();
    const sessions = (await app.inject({ url: '/api/journal', headers })).json().sessions;
    const entries = sessions.flatMap((s: { entries: unknown[] }) => s.entries) as { path: string; result: string }[];
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.filter((e) => e.result === 'pending')).toEqual([]);
    for (const e of entries) {
      if (e.result === 'deleted') expect(existsSync(join(config.root, e.path)), e.path).toBe(false);
      if (e.result === 'interrupted') expect(existsSync(join(config.root, e.path)), e.path).toBe(true);
    }
    // Protected by the config: never part of the job, still there.
    expect(readFileSync(join(config.root, 'debug_39/f0.log'), 'utf8')).toBe('x'.repeat(100));
    expect(existsSync(join(config.root, 'run/final_model.pt'))).toBe(true);
    // What the crash left is planned again: deleted folders are gone from the plan, the rest still in it.
    const plan = (await app.inject({ url: '/api/plan?policy=conservative', headers })).json();
    const gone = new Set(entries.filter((e) => e.result === 'deleted').map((e) => e.path));
    for (const it of plan.items) expect(gone.has(it.path), it.path).toBe(false);
    const remaining = [...Array(40).keys()].map((d) => `debug_${d}`).filter((d) => existsSync(join(config.root, d)) && d !== 'debug_39');
    expect(plan.items.map((i: { path: string }) => i.path).filter((p: string) => !p.startsWith('debug_39')).sort()).toEqual(remaining.sort());
    expect(dirname(config.root)).toBe(config.project);
  });
});
