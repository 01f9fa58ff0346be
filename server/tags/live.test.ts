import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanService, TreeEvent } from '../scan/scan-service.js';
import { auth, testApp, testConfig } from '../test-utils/app.js';
import { HOUR, entryOf, planOf, rulesApp, tag, writeTree } from './test-utils/rules.js';

const headers = { host: 'localhost', ...auth };

describe('tags while the server runs', () => {
  it('user tags and the note follow a renamed file and a moved folder', async () => {
    const app = await rulesApp({ 'run/final_model.pt': { epoch: 1 }, 'old/seed1/final_model.pt': { epoch: 2 } });
    const scan = app.ckpt.scan as unknown as { applyPath(p: string): Promise<void> };
    expect((await tag(app, { path: 'run/final_model.pt', add: ['historical'], note: 'paper' })).statusCode).toBe(200);
    expect((await tag(app, { path: 'old/seed1', add: ['keep-me'] })).statusCode).toBe(200);
    const root = app.ckpt.config.root;

    renameSync(join(root, 'run/final_model.pt'), join(root, 'run/model_v1.pt'));
    await scan.applyPath('run/final_model.pt');
    await scan.applyPath('run/model_v1.pt');
    expect(await entryOf(app, 'run/model_v1.pt')).toMatchObject({ userTags: ['historical'], note: 'paper', protected: true });

    renameSync(join(root, 'old'), join(root, 'new'));
    await scan.applyPath('old');
    await scan.applyPath('new');
    expect((await entryOf(app, 'new/seed1')).userTags).toEqual(['keep-me']);
  });

  it('a config change reloads categories and retention; a malformed one keeps the last good and says so', async () => {
    const app = await rulesApp({ 'run/final_model.pt': { epoch: 9 }, 'run/ckpt_e1.pt': { epoch: 1 }, 'run/ckpt_e2.pt': { epoch: 2 } });
    await app.ckpt.project.idle();
    expect((await planOf(app, 'policy=conservative')).items).toEqual([]);
    const file = join(app.ckpt.config.project, 'ckptdash.config.json');
    writeFileSync(file, JSON.stringify({ categories: { intermediate: ['ckpt_e<N>*'] }, retention: { keepLast: 1 } }));
    await expect.poll(async () => (await planOf(app, 'policy=conservative')).items.map((i) => i.path), { timeout: 5000 }).toEqual(['run/ckpt_e1.pt']);

    writeFileSync(file, '{\n  "retention": { "keepLast": 0 }\n  "oops": 1\n}\n');
    await expect.poll(async () => (await app.inject({ url: '/api/summary', headers })).json().configError, { timeout: 5000 }).toMatch(/line 3/);
    expect((await planOf(app, 'policy=conservative')).items.map((i) => i.path)).toEqual(['run/ckpt_e1.pt']);
  });

  it('when redoing the rules is slow, a new file is announced at once, its tags follow, and protection never lags', async () => {
    const config = testConfig();
    // A run still training (no final model): its newest checkpoint is its resume point.
    await writeTree(config.root, { 'live/checkpoint_epoch1.pt': { epoch: 1, ageMs: HOUR } });
    // Every redo counts as slow here: what a tree of 200,000 checkpoints does.
    const app = await testApp(config, { slowRulesMs: 0 });
    const scan = app.ckpt.scan as unknown as ScanService;
    await scan.ready();
    await app.ckpt.models.idle();
    await app.ckpt.project.idle();
    expect((await entryOf(app, 'live/checkpoint_epoch1.pt')).tags).toContain('resume');
    const tagsSeen: string[][] = [];
    scan.on('tree', (e: TreeEvent) => {
      for (const u of e.upserts) if (u.path === 'live/checkpoint_epoch2.pt') tagsSeen.push([...u.tags]);
    });
    // Rules just redone: the next change may be shown with them for a moment.
    app.ckpt.tags.setRules(undefined, undefined);
    app.ckpt.tags.snapshot();

    await writeTree(config.root, { 'live/checkpoint_epoch2.pt': { epoch: 2, ageMs: 60_000 } });
    await scan.applyPath('live/checkpoint_epoch2.pt');
    expect(tagsSeen[0], 'announced at once, with the last rules').toEqual(['intermediate']);
    await expect.poll(() => tagsSeen.some((t) => t.includes('resume')), { timeout: 5000 }).toBe(true);
    expect((await entryOf(app, 'live/checkpoint_epoch2.pt')).tags).toContain('resume');
    expect((await entryOf(app, 'live/checkpoint_epoch1.pt')).tags).not.toContain('resume');

    // A user tag is never shown late: protected in the very next answer, and deletion refuses it.
    expect((await tag(app, { path: 'live/checkpoint_epoch1.pt', add: ['critical'] })).statusCode).toBe(200);
    expect(await entryOf(app, 'live/checkpoint_epoch1.pt')).toMatchObject({ protected: true });
    const del = await app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'live/checkpoint_epoch1.pt' } });
    expect(del.statusCode, del.body).toBe(409);
  });
});
