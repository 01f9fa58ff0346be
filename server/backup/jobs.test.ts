import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/schemas/jobs.js';
import type { Config } from '../config.js';
import { ScanService } from '../scan/scan-service.js';
import { auth, testApp, testConfig } from '../test-utils/app.js';
import { backupJob, restoreJob, verifyBackupJob, type BackupJobResult } from './jobs.js';
import { BackupCatalog } from './read.js';
import { putModel, SEED_MODELS, SEED_NAMES, sha256 } from './test-utils/project.js';

const headers = { host: 'localhost', ...auth };

/** The seed's project: four models pinned by configs/ensemble_best.json, two tagged historical, and models nobody keeps. */
async function seedApp(over: Partial<Config> = {}): Promise<{ app: FastifyInstance; config: Config; catalog: BackupCatalog; data: Map<string, Buffer> }> {
  const config = testConfig(over);
  const data = new Map(SEED_MODELS.map((m) => [m, putModel(config.root, m, 100_000)]));
  putModel(config.root, 'session10/ensemble/seed123/checkpoint_epoch010.pt', 50_000);
  putModel(config.root, 'repro_quickstart/session10/seed123/final_model.pt', 50_000);
  mkdirSync(join(config.project, 'configs'));
  writeFileSync(join(config.project, 'configs/ensemble_best.json'), JSON.stringify({ models: SEED_MODELS.slice(0, 4).map((m) => `checkpoints/${m}`) }, null, 2));
  const app = await testApp(config);
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  const catalog = new BackupCatalog({ project: config.project, root: config.root });
  const scan = app.ckpt.scan as ScanService;
  app.ckpt.jobs.register(
    backupJob({ project: config.project, root: config.root, rootFs: app.ckpt.rootFs, index: () => scan.index, snapshot: () => app.ckpt.tags.snapshot(), catalog }),
  );
  app.ckpt.jobs.register(verifyBackupJob({ catalog }));
  app.ckpt.jobs.register(
    restoreJob({
      catalog,
      rootFs: app.ckpt.rootFs,
      onRestored: async (paths) => {
        for (const p of paths) await scan.applyPath(p);
      },
    }),
  );
  return { app, config, catalog, data };
}

async function startJob(app: FastifyInstance, kind: string, params: Record<string, unknown> = {}) {
  return app.inject({ method: 'POST', url: '/api/jobs', headers, payload: { kind, params } });
}

async function runJob(app: FastifyInstance, kind: string, params: Record<string, unknown> = {}): Promise<Job> {
  const res = await startJob(app, kind, params);
  expect(res.statusCode, res.body).toBe(202);
  return (await app.ckpt.jobs.settle(res.json().id))!;
}

describe('the backup jobs over the API', () => {
  it("back up the checkpoints protected themselves (the seed's six), verify the archive, restore it", async () => {
    const { app, config, data } = await seedApp();
    for (const m of SEED_MODELS.slice(4)) {
      const res = await app.inject({ method: 'POST', url: '/api/tags', headers, payload: { path: m, add: ['historical'] } });
      expect(res.statusCode, res.body).toBe(200);
    }
    const done = await runJob(app, 'backup');
    expect(done).toMatchObject({ state: 'done', title: 'Back up the 6 protected checkpoints', unit: 'bytes' });
    expect(done.done).toBe(done.total);
    const result = done.result as BackupJobResult;
    expect(result.file).toMatch(/^checkpoints_backup_\d{8}\.tar\.gz$/);
    expect(result.files.map((f) => f.name).sort()).toEqual([...SEED_NAMES].sort());
    for (const f of result.files) expect(f.sha256).toBe(sha256(data.get(f.path)!));
    expect(result).toMatchObject({ gitignore: 'not-git', warnings: [] });

    const verified = await runJob(app, 'verify-backup', { name: result.file });
    expect(verified).toMatchObject({ state: 'done', result: { ok: true, files: 6, problems: [] } });

    // Every target exists: POST /api/jobs itself refuses (the manifest is known from the backup).
    const refused = await startJob(app, 'restore', { name: result.file });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'EXISTS' });
    rmSync(join(config.root, SEED_MODELS[2]));
    writeFileSync(join(config.root, SEED_MODELS[0]), 'overwritten by mistake');
    const restored = await runJob(app, 'restore', { name: result.file, files: [SEED_MODELS[0], SEED_MODELS[2]], overwrite: true });
    expect(restored).toMatchObject({ state: 'done', result: { restored: [{ path: SEED_MODELS[0], replaced: true }, { path: SEED_MODELS[2], replaced: false }] } });
    expect(sha256(readFileSync(join(config.root, SEED_MODELS[0])))).toBe(sha256(data.get(SEED_MODELS[0])!));
    // The index knows the restored file when the job ends.
    expect((app.ckpt.scan as ScanService).index!.lookup(SEED_MODELS[2])).toBeGreaterThanOrEqual(0);
  });

  it('back up a selection; refuse bad params, unknown paths and an empty protected set', async () => {
    const { app } = await seedApp();
    const sel = await runJob(app, 'backup', { paths: ['session10/ensemble'] });
    expect(sel.state).toBe('done');
    expect((sel.result as BackupJobResult).files.map((f) => f.name)).toEqual(['seed123_checkpoint_epoch010.pt', 'seed123_final.pt', 'seed456_final.pt']);
    for (const [params, code] of [
      [{ paths: [] }, 'INVALID_PARAMS'],
      [{ paths: ['../etc'] }, 'INVALID_PATH'],
      [{ paths: [''] }, 'INVALID_PATH'],
      [{ path: 'x' }, 'INVALID_PARAMS'],
      [{ paths: ['nope.pt'] }, 'NOT_FOUND'],
    ] as const) {
      const res = await startJob(app, 'backup', params);
      expect(res.json().error.code, JSON.stringify(params)).toBe(code);
    }
    for (const [params, code] of [
      [{ name: '../x.tar.gz' }, 'INVALID_PARAMS'],
      [{ name: 'x.tar.gz', overwrite: 'yes' }, 'INVALID_PARAMS'],
      [{ name: 'x.tar.gz', files: 'a' }, 'INVALID_PARAMS'],
    ] as const) {
      expect((await startJob(app, 'restore', params)).json().error.code).toBe(code);
    }
    // A restore of a backup that does not exist fails in the job.
    expect(await runJob(app, 'restore', { name: 'missing.tar.gz' })).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND' } });
  });

  it('nothing protected: 409; read-only: backup and restore refused, verify allowed', async () => {
    const config = testConfig();
    putModel(config.root, 'run/final_model.pt', 1000);
    const app = await testApp(config);
    await app.ckpt.scan.ready();
    await app.ckpt.models.idle();
    const catalog = new BackupCatalog({ project: config.project, root: config.root });
    const scan = app.ckpt.scan as ScanService;
    app.ckpt.jobs.register(backupJob({ project: config.project, root: config.root, rootFs: app.ckpt.rootFs, index: () => scan.index, snapshot: () => app.ckpt.tags.snapshot(), catalog }));
    const res = await startJob(app, 'backup');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('NOTHING_TO_BACK_UP');

    const ro = await seedApp({ readOnly: true });
    expect((await startJob(ro.app, 'backup')).statusCode).toBe(403);
    expect((await startJob(ro.app, 'restore', { name: 'x.tar.gz' })).statusCode).toBe(403);
    expect(await runJob(ro.app, 'verify-backup', { name: 'x.tar.gz' })).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND' } });
  });
});
