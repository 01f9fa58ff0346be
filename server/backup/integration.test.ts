// The backup, verify and restore jobs as the app runs them: through POST /api/jobs,
// with the models' integrity and the report following.
import { cpSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { fixture, FIXTURES } from '../models/test-utils/fixtures.js';
import { auth } from '../test-utils/app.js';
import { refsOf, rulesApp } from '../tags/test-utils/rules.js';

const headers = { host: 'localhost', ...auth };

async function runJob(app: FastifyInstance, kind: string, params: Record<string, unknown> = {}) {
  const start = await app.inject({ method: 'POST', url: '/api/jobs', headers, payload: { kind, params } });
  expect(start.statusCode, start.body).toBe(202);
  const id = start.json().id;
  await expect.poll(async () => (await app.inject({ url: `/api/jobs/${id}`, headers })).json().state, { timeout: 30_000 }).not.toMatch(/queued|running/);
  return (await app.inject({ url: `/api/jobs/${id}`, headers })).json();
}

describe('backup, verify and restore in the app', () => {
  it('a full verify marks each model with its verdict; corrupt_crc.pt names data/0', async () => {
    const app = await rulesApp({});
    const old = new Date(Date.now() - 86_400_000);
    for (const name of readdirSync(FIXTURES)) {
      if (name === 'README.md') continue;
      cpSync(fixture(name), join(app.ckpt.config.root, name), { recursive: true });
      utimesSync(join(app.ckpt.config.root, name), old, old);
    }
    await (app.ckpt.scan as unknown as { rescanSubtree(p: string): Promise<void> }).rescanSubtree('');
    await app.ckpt.models.idle();
    const job = await runJob(app, 'verify');
    expect(job.state, JSON.stringify(job)).toBe('done');
    const items = (await app.inject({ url: '/api/checkpoints', headers })).json().items as { path: string; integrity: { status: string; detail?: string; full?: boolean } }[];
    const crc = items.find((c) => c.path === 'corrupt_crc.pt')!;
    expect(crc.integrity).toMatchObject({ status: 'corrupt', full: true });
    expect(crc.integrity.detail).toContain('data/0');
    expect(items.find((c) => c.path === 'checkpoint_epoch007.pt')!.integrity).toEqual({ status: 'ok', full: true });
  });

  it('backs up the protected models, lists the backup, puts it in the report, and restores a deleted one', async () => {
    const app = await rulesApp({ 'session1/seed1/final_model.pt': { epoch: 9 }, 'session1/seed2/final_model.pt': { epoch: 9 }, 'debug_x/a.pt': { epoch: 1 } });
    app.ckpt.tags.setReferences(refsOf([{ target: 'session1/seed1/final_model.pt', file: 'configs/ens.json', line: 7, protects: true, missing: false }]));
    await app.inject({ method: 'POST', url: '/api/tags', headers, payload: { path: 'session1/seed2/final_model.pt', add: ['historical'] } });
    const job = await runJob(app, 'backup');
    expect(job.state, JSON.stringify(job)).toBe('done');
    expect(job.result.files.map((f: { name: string }) => f.name).sort()).toEqual(['seed1_final.pt', 'seed2_final.pt']);
    const list = (await app.inject({ url: '/api/backups', headers })).json().items;
    expect(list).toHaveLength(1);
    expect(list[0].name).toMatch(/^checkpoints_backup_\d{8}\.tar\.gz$/);

    expect((await app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'debug_x' } })).statusCode).toBe(200);
    const report = (await app.inject({ url: '/api/report', headers })).body;
    expect(report).toContain(`\`backups/${list[0].name}\``);
    expect(report).toContain('seed1_final.pt');

    // The historical model is lost by hand; the backup brings it back where it was.
    rmSync(join(app.ckpt.config.root, 'session1/seed2/final_model.pt'));
    await (app.ckpt.scan as unknown as { applyPath(p: string): Promise<void> }).applyPath('session1/seed2/final_model.pt');
    const restore = await runJob(app, 'restore', { name: list[0].name, files: ['session1/seed2/final_model.pt'] });
    expect(restore.state, JSON.stringify(restore)).toBe('done');
    expect((await app.inject({ url: '/api/entry?path=session1/seed2/final_model.pt', headers })).statusCode).toBe(200);
  });
});
