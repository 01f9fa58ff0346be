import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { auth, testApp } from '../test-utils/app.js';
import { tempDir } from '../test-utils/temp.js';
import { entryOf, planOf, refsOf, rulesApp } from '../tags/test-utils/rules.js';

const headers = { host: 'localhost', ...auth };
const del = (app: FastifyInstance, body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/deletions', headers, payload: body });
const rootOf = (app: FastifyInstance) => app.ckpt.config.root;
const journal = async (app: FastifyInstance) => (await app.inject({ url: '/api/journal', headers })).json().sessions;

describe('guarded deletion', () => {
  it('deletes a file, journals it, and the index, totals and plan follow at once', async () => {
    const app = await rulesApp({ 'run/final_model.pt': { epoch: 9 }, 'run/checkpoint_epoch1.pt': { epoch: 1 } });
    const plan = await planOf(app, 'policy=conservative');
    const item = plan.items.find((i) => i.path === 'run/checkpoint_epoch1.pt')!;
    const res = await del(app, { path: item.path, etag: item.etag, policy: 'conservative' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ path: item.path, freedBytes: item.bytes, freedDiskBytes: item.diskBytes, deletedFiles: 1 });
    expect(existsSync(join(rootOf(app), item.path))).toBe(false);
    expect((await app.inject({ url: `/api/entry?path=${item.path}`, headers })).statusCode).toBe(404);
    expect((await planOf(app, 'policy=conservative')).items).toEqual([]);
    const [session] = await journal(app);
    expect(session.entries).toEqual([
      expect.objectContaining({ path: item.path, result: 'deleted', policy: 'conservative', category: 'intermediate', bytes: item.bytes, freedBytes: item.bytes, deletedFiles: 1 }),
    ]);
  });

  it('refuses a protected model in words, touching nothing', async () => {
    const app = await rulesApp({ 'run/final_model.pt': { epoch: 9 } });
    app.ckpt.tags.setReferences(refsOf([{ target: 'run/final_model.pt', file: 'configs/ensemble_best.json', line: 7, protects: true, missing: false }]));
    for (const path of ['run/final_model.pt', 'run']) {
      const res = await del(app, { path });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('PROTECTED');
    }
    expect((await del(app, { path: 'run/final_model.pt' })).json().error.message).toBe('protected: referenced by configs/ensemble_best.json line 7');
    expect((await del(app, { path: 'run' })).json().error.message).toBe('protected: contains run/final_model.pt');
    expect(existsSync(join(rootOf(app), 'run/final_model.pt'))).toBe(true);
    expect(await journal(app)).toEqual([]);
  });

  it('refuses a file replaced since the plan (CHANGED) and keeps the new one', async () => {
    const app = await rulesApp({ 'debug_a/x.pt': { epoch: 1 }, 'debug_a/y.pt': { epoch: 2 } });
    const item = (await planOf(app, 'policy=conservative')).items[0];
    const file = join(rootOf(app), 'debug_a/x.pt');
    writeFileSync(join(rootOf(app), 'new.tmp'), 'new content');
    renameSync(join(rootOf(app), 'new.tmp'), file);
    const res = await del(app, { path: 'debug_a', etag: item.etag });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CHANGED');
    expect(readFileSync(file, 'utf8')).toBe('new content');
  });

  it('refuses a file being written (WRITING)', async () => {
    const app = await rulesApp({ 'run/final_model.pt': { epoch: 9 } });
    writeFileSync(join(rootOf(app), 'run/checkpoint_epoch2.pt'), 'half a save');
    const res = await del(app, { path: 'run/checkpoint_epoch2.pt' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('WRITING');
    expect(existsSync(join(rootOf(app), 'run/checkpoint_epoch2.pt'))).toBe(true);
  });

  it('removes a symlink as a link and never follows a parent swapped for one', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'sentinel.pt'), 'keep me');
    const app = await rulesApp({ 'a/b/sentinel.pt': { text: 'inside' } });
    symlinkSync(join(outside, 'sentinel.pt'), join(rootOf(app), 'link.pt'));
    await (app.ckpt.scan as unknown as { applyPath(p: string): Promise<void> }).applyPath('link.pt');
    const linkRes = await del(app, { path: "link.pt" });
    expect(linkRes.statusCode, linkRes.body).toBe(200);
    expect(readFileSync(join(outside, 'sentinel.pt'), 'utf8')).toBe('keep me');

    // a/b becomes a link to the outside folder holding a file of the same name.
    rmSync(join(rootOf(app), 'a/b'), { recursive: true });
    symlinkSync(outside, join(rootOf(app), 'a/b'));
    const res = await del(app, { path: 'a/b/sentinel.pt' });
    expect([404, 409]).toContain(res.statusCode);
    expect(readFileSync(join(outside, 'sentinel.pt'), 'utf8')).toBe('keep me');
    expect((await del(app, { path: 'a/b' })).statusCode).toBe(200);
    expect(readFileSync(join(outside, 'sentinel.pt'), 'utf8')).toBe('keep me');
  });

  it('deletes a folder with odd names and removes experiment folders left empty', async () => {
    const app = await rulesApp({
      'repro_x/s1/seed1/final_model.pt': { epoch: 5 },
      'repro_x/s1/seed1/checkpoint_epoch1.pt': { epoch: 1 },
      'repro_x/s2/seed2/final_model.pt': { epoch: 5 },
      'repro_x/s2/seed2/name with spaces\nand "quotes".log': { text: 'x' },
    });
    writeFileSync(Buffer.concat([Buffer.from(join(rootOf(app), 'repro_x/s2/seed2/')), Buffer.from([0x66, 0xff, 0x2e, 0x70, 0x74])]), 'bad name');
    const bad = Buffer.concat([Buffer.from(join(rootOf(app), 'repro_x/s2/seed2/')), Buffer.from([0x66, 0xff, 0x2e, 0x70, 0x74])]);
    utimesSync(bad, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    await (app.ckpt.scan as unknown as { rescanSubtree(p: string): Promise<void> }).rescanSubtree('repro_x/s2/seed2');
    app.ckpt.tags.setReferences(refsOf([{ target: 'repro_x/s1/seed1/final_model.pt', file: 'configs/a.json', line: 2, protects: true, missing: false }]));
    const plan = await planOf(app, 'policy=moderate');
    expect(plan.items.map((i) => i.path)).toEqual(['repro_x/s1/seed1/checkpoint_epoch1.pt', 'repro_x/s2']);
    for (const it of plan.items) expect((await del(app, { path: it.path, etag: it.etag, policy: 'moderate' })).statusCode).toBe(200);
    expect(existsSync(join(rootOf(app), 'repro_x/s2'))).toBe(false);
    expect(existsSync(join(rootOf(app), 'repro_x/s1/seed1/final_model.pt'))).toBe(true);
    const [session] = await journal(app);
    expect(session.entries.find((e: { path: string }) => e.path === 'repro_x/s2')).toMatchObject({ deletedFiles: 3, result: 'deleted', category: 'experiment' });
  });

  it('refuses bad paths, the root, unknown entries, and everything in read-only mode', async () => {
    const app = await rulesApp({ 'a.pt': { epoch: 1 } });
    expect((await del(app, { path: '../a.pt' })).statusCode).toBe(400);
    expect((await del(app, { path: '' })).statusCode).toBe(400);
    expect((await del(app, { path: 'nope.pt' })).statusCode).toBe(404);
    const ro = await rulesApp({ 'a.pt': { epoch: 1 } }, { readOnly: true });
    expect((await del(ro, { path: 'a.pt' })).statusCode).toBe(403);
    expect(existsSync(join(rootOf(ro), 'a.pt'))).toBe(true);
  });

  it('records an intent left without a result as what really happened, at the next start', async () => {
    const app = await rulesApp({ 'a.pt': { epoch: 1 }, 'b.pt': { epoch: 2 } });
    const config = app.ckpt.config;
    app.ckpt.journal.intent({ path: 'a.pt', bytes: 10, diskBytes: 10, files: 1, category: 'debug' });
    app.ckpt.journal.intent({ path: 'b.pt', bytes: 10, diskBytes: 10, files: 1, category: 'debug' });
    rmSync(join(config.root, 'a.pt'));
    await app.close();
    const again = await testApp(config);
    const entries = (await journal(again))[0].entries;
    expect(entries.find((e: { path: string }) => e.path === 'a.pt')).toMatchObject({ result: 'deleted' });
    expect(entries.find((e: { path: string }) => e.path === 'b.pt')).toMatchObject({ result: 'interrupted' });
  });

  it('a bulk job deletes what was approved and reports each refusal', async () => {
    const app = await rulesApp({ 'debug_a/x.pt': { epoch: 1 }, 'debug_b/y.pt': { epoch: 1 }, 'debug_c/z.pt': { epoch: 1 } });
    await del(app, { path: 'debug_c' });
    await app.inject({ method: 'POST', url: '/api/tags', headers, payload: { path: 'debug_b', add: ['historical'] } });
    const items = [{ path: 'debug_a' }, { path: 'debug_b' }, { path: 'debug_c' }];
    const start = await app.inject({ method: 'POST', url: '/api/jobs', headers, payload: { kind: 'delete', params: { items, policy: 'conservative' } } });
    expect(start.statusCode, start.body).toBe(202);
    const id = start.json().id;
    await expect.poll(async () => (await app.inject({ url: `/api/jobs/${id}`, headers })).json().state).toBe('done');
    const result = (await app.inject({ url: `/api/jobs/${id}`, headers })).json().result;
    expect(result.deleted.map((d: { path: string }) => d.path)).toEqual(['debug_a']);
    expect(result.refused).toEqual([
      expect.objectContaining({ path: 'debug_b', code: 'PROTECTED' }),
      expect.objectContaining({ path: 'debug_c', code: 'NOT_FOUND' }),
    ]);
  });

  it('lists stale references after a referenced file is deleted', async () => {
    const app = await rulesApp({ 'debug_a/x.pt': { epoch: 1 } });
    app.ckpt.tags.setReferences(refsOf([{ target: 'debug_a/x.pt', file: 'scripts/eval.sh', line: 3, protects: false, missing: false }]));
    expect((await app.inject({ url: '/api/references/stale', headers })).json().items).toEqual([]);
    expect((await del(app, { path: 'debug_a' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/references/stale', headers })).json().items).toEqual([
      { file: 'scripts/eval.sh', line: 3, target: 'debug_a/x.pt', protects: false },
    ]);
    mkdirSync(join(rootOf(app), 'unused'));
    expect((await entryOf(app, '')).path).toBe('');
  });

  it('a hard-linked file frees nothing while its other name remains', async () => {
    const { linkSync } = await import('node:fs');
    // Linked before the server starts: a new link changes the file's ctime, which reads as "being written" for a few seconds.
    const app = await rulesApp({ 'debug_a/x.pt': { epoch: 1 } }, {}, (root) => linkSync(join(root, 'debug_a/x.pt'), join(root, 'keep.pt')));
    const res = await del(app, { path: 'debug_a/x.pt' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ freedBytes: 0, freedDiskBytes: 0, deletedFiles: 1 });
    expect(readFileSync(join(rootOf(app), 'keep.pt')).length).toBeGreaterThan(0);
  });
});
