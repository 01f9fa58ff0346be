import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupCatalog } from '../backup/read.js';
import { makeProject, putModel, SEED_MODELS, SEED_NAMES, sources } from '../backup/test-utils/project.js';
import { writeBackup } from '../backup/writer.js';
import { installErrorHandler } from '../plugins/errors.js';
import backupRoutes, { type BackupList } from './backups.js';

const apps: Array<ReturnType<typeof Fastify>> = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

/** The route alone on a bare Fastify (auth and the rest of the app are the app's tests' business). */
async function serve(catalog: BackupCatalog) {
  const app = Fastify();
  apps.push(app);
  installErrorHandler(app);
  await app.register(backupRoutes, { catalog });
  await app.ready();
  return app;
}

describe('GET /api/backups', () => {
  it('lists the backups with their files, a broken one with its error, never a .partial', async () => {
    const p = makeProject();
    for (const m of SEED_MODELS) putModel(p.root, m, 10_000);
    const catalog = new BackupCatalog({ project: p.project, root: p.root });
    const app = await serve(catalog);
    expect((await app.inject({ url: '/api/backups' })).json()).toEqual({ items: [] });

    const r = await writeBackup({ project: p.project, root: p.root, rootFs: p.rootFs, files: sources(p.root, SEED_MODELS), now: new Date(2026, 0, 20).getTime() });
    catalog.remember(r.file, r.stat, r.manifest);
    writeFileSync(join(p.backups, 'checkpoints_backup_20260121.tar.gz.partial'), 'half written');
    writeFileSync(join(p.backups, 'old.tar.gz'), 'not gzip');
    const res = await app.inject({ url: '/api/backups' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as BackupList;
    expect(body.items.map((i) => i.name).sort()).toEqual(['checkpoints_backup_20260120.tar.gz', 'old.tar.gz']);
    const ours = body.items.find((i) => i.name === r.file)!;
    expect(ours).toMatchObject({ bytes: r.bytes, mtimeMs: expect.any(Number) });
    expect(ours.error).toBeUndefined();
    expect(ours.files.map((f) => f.name)).toEqual(SEED_NAMES);
    expect(ours.files[0]).toEqual({ name: 'seed123_final.pt', path: SEED_MODELS[0], size: 10_000, sha256: r.manifest.files[0].sha256, mtimeMs: r.manifest.files[0].mtimeMs });
    expect(body.items.find((i) => i.name === 'old.tar.gz')).toMatchObject({ files: [], error: expect.stringMatching(/not a complete tar.gz/) });
  });

  it('answers 409 when the backups folder is a symlink', async () => {
    const p = makeProject();
    symlinkSync(p.root, p.backups);
    const app = await serve(new BackupCatalog({ project: p.project, root: p.root }));
    const res = await app.inject({ url: '/api/backups' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('SYMLINK');
  });
});
