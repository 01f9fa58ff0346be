import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../shared/schemas/entry.js';
import type { BuildOptions } from '../app.js';
import type { Config } from '../config.js';
import { fixture, FIXTURES } from '../models/test-utils/fixtures.js';
import { MODEL_TAGS as MODEL_TAG_LIST } from '../models-service/to-checkpoint.js';
import { ScanService } from '../scan/scan-service.js';
import { auth, testApp, testConfig } from '../test-utils/app.js';

const MODEL_TAGS: readonly string[] = MODEL_TAG_LIST;
/** The tags the model readers decide (the tag rules add categories and protection besides). */
const modelTags = (cp: Checkpoint) => cp.tags.filter((t) => MODEL_TAGS.includes(t));

const DAY_AGO = new Date(Date.now() - 24 * 3600 * 1000);

/** Copies a fixture file or folder (the originals are read-only) and dates it a day back: fresh files are `writing`. */
function copyAged(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) copyAged(join(from, name), join(to, name));
  } else {
    copyFileSync(from, to);
    chmodSync(to, 0o644);
  }
  utimesSync(to, DAY_AGO, DAY_AGO);
}

const FIXTURE_UNITS = [
  'checkpoint-500',
  'checkpoint_epoch007.pt',
  'corrupt_crc.pt',
  'epoch=3-step=1200.ckpt',
  'final_model.pt',
  'legacy.pt',
  'model.safetensors',
  'state_dict.pt',
  'truncated.pt',
  'whole_model.pt',
];

/** Every fixture at the top of the root, one in a nested run, and a two-shard set with its index. */
function fixtureTree(): Config {
  const config = testConfig();
  const r = config.root;
  for (const name of readdirSync(FIXTURES)) if (name !== 'README.md') copyAged(fixture(name), join(r, name));
  mkdirSync(join(r, 'exp', 'seed1'), { recursive: true });
  copyAged(fixture('final_model.pt'), join(r, 'exp', 'seed1', 'final_model.pt'));
  mkdirSync(join(r, 'sharded'));
  for (const part of ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']) copyAged(fixture('model.safetensors'), join(r, 'sharded', part));
  writeFileSync(join(r, 'sharded', 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }));
  utimesSync(join(r, 'sharded', 'model.safetensors.index.json'), DAY_AGO, DAY_AGO);
  return config;
}

async function readyApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await testApp(config, opts);
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  return app;
}

const get = (app: FastifyInstance, url: string) => app.inject({ url, headers: { host: 'localhost', ...auth } });

async function checkpoints(app: FastifyInstance): Promise<Map<string, Checkpoint>> {
  const res = await get(app, '/api/checkpoints');
  expect(res.statusCode).toBe(200);
  return new Map((res.json().items as Checkpoint[]).map((c) => [c.path, c]));
}

function scanServiceOf(app: FastifyInstance): ScanService {
  const scan = app.ckpt.scan;
  if (!(scan instanceof ScanService)) throw new Error('the app should run the real scanner');
  return scan;
}

describe('checkpoints: enumerated from the index, read in the background', () => {
  it('lists every checkpoint once, with what its files say', async () => {
    const app = await readyApp(fixtureTree());
    const items = await checkpoints(app);
    expect([...items.keys()].sort()).toEqual([...FIXTURE_UNITS, 'exp/seed1/final_model.pt', 'sharded/model.safetensors.index.json'].sort());

    expect(items.get('checkpoint_epoch007.pt')).toMatchObject({ run: '', format: 'torch-zip', epoch: 7, integrity: { status: 'ok' }, protected: false, references: [] });
    // A model at the root that nothing references is a stray: the tag rules call it debug.
    expect(items.get('checkpoint_epoch007.pt')!.tags).toEqual(['intermediate', 'debug']);
    expect(items.get('checkpoint_epoch007.pt')!.metrics.val_px).toBeCloseTo(4.04);
    expect(items.get('checkpoint_epoch007.pt')!.bytes).toBe(statSync(fixture('checkpoint_epoch007.pt')).size);
    expect(modelTags(items.get('whole_model.pt')!)).toEqual(['unsafe-pickle']);
    expect(items.get('truncated.pt')).toMatchObject({ integrity: { status: 'truncated' } });
    expect(modelTags(items.get('truncated.pt')!)).toEqual(['truncated']);
    expect(items.get('checkpoint-500')).toMatchObject({ format: 'hf-folder', step: 500, integrity: { status: 'ok' } });
    expect(items.get('exp/seed1/final_model.pt')).toMatchObject({ run: 'exp/seed1', epoch: 100 });
    expect(items.get('sharded/model.safetensors.index.json')).toMatchObject({ run: 'sharded', format: 'safetensors', tensors: 8 });
    // The list stays small: details only come with the entry.
    for (const c of items.values()) expect(c.details).toBeUndefined();

    const summary = (await get(app, '/api/summary')).json();
    expect(summary.models).toEqual({ read: 12, total: 12 });
    expect(summary.tags['unsafe-pickle']).toEqual({ count: 1, bytes: statSync(fixture('whole_model.pt')).size });
    expect(summary.tags.truncated).toEqual({ count: 1, bytes: statSync(fixture('truncated.pt')).size });
  });

  it('gives the entry its checkpoint with details, and only to the checkpoint itself', async () => {
    const app = await readyApp(fixtureTree());
    const whole = (await get(app, '/api/entry?path=whole_model.pt')).json();
    expect(whole.tags).toContain('unsafe-pickle');
    expect(whole.checkpoint.details.globals).toContainEqual({ module: '__main__', name: 'Net', safe: false });
    expect(whole.checkpoint.details.dtypes).toContain('float32');

    const epoch7 = (await get(app, '/api/entry?path=checkpoint_epoch007.pt')).json();
    expect(epoch7.checkpoint.details.scalars).toMatchObject({ epoch: 7, global_step: 700 });
    const lightning = (await get(app, '/api/entry?path=epoch%3D3-step%3D1200.ckpt')).json();
    expect(lightning.checkpoint.details.lightning.version).toBe('2.1.0');
    const hf = (await get(app, '/api/entry?path=checkpoint-500')).json();
    expect(hf.checkpoint.details.trainer).toMatchObject({ globalStep: 500, bestMetric: 0.31 });

    const part = (await get(app, '/api/entry?path=checkpoint-500/model.safetensors'));
    expect(part.statusCode).toBe(200);
    expect(part.json().checkpoint).toBeUndefined();
  });

  it('carries the checkpoint tags into the tree listing and its tag filter', async () => {
    const app = await readyApp(fixtureTree());
    const page = (await get(app, '/api/tree?path=&limit=100')).json();
    const tagsOf = (name: string) => page.entries.find((e: { name: string }) => e.name === name).tags;
    expect(tagsOf('whole_model.pt')).toContain('unsafe-pickle');
    expect(tagsOf('truncated.pt')).toContain('truncated');
    expect(tagsOf('state_dict.pt').filter((t: string) => MODEL_TAGS.includes(t))).toEqual([]);

    const filtered = (await get(app, '/api/tree?path=&tag=unsafe-pickle')).json();
    expect(filtered.entries.map((e: { path: string }) => e.path)).toEqual(['whole_model.pt']);
  });

  it('does not read unchanged checkpoints again after a restart', async () => {
    const config = fixtureTree();
    const first = await readyApp(config);
    expect(first.ckpt.models.reads).toBe(12);
    const before = await checkpoints(first);
    await first.close();

    const second = await readyApp(config);
    expect(second.ckpt.models.reads).toBe(0);
    expect(await checkpoints(second)).toEqual(before);
    expect((await get(second, '/api/summary')).json().models).toEqual({ read: 12, total: 12 });
  });

  it('still reads when the state file cannot be used (results kept in memory)', async () => {
    const config = fixtureTree();
    // A file where the state folder should be: the store falls back to memory and the app to read-only.
    writeFileSync(config.stateDir, 'not a folder');
    const app = await readyApp(config);
    expect(app.ckpt.readOnly).toBe(true);
    expect(modelTags((await checkpoints(app)).get('whole_model.pt')!)).toEqual(['unsafe-pickle']);
  });

  it('calls a file being written `writing`, never truncated, and reads it again once it settles', async () => {
    const config = fixtureTree();
    const file = join(config.root, 'grown.pt');
    copyAged(fixture('truncated.pt'), file);
    let now = Date.now();
    const app = await readyApp(config, { now: () => now });
    expect((await checkpoints(app)).get('grown.pt')!.integrity.status).toBe('truncated');

    // The save goes on: the file grows to its full size (mtime: now).
    writeFileSync(file, readFileSync(fixture('checkpoint_epoch007.pt')));
    await scanServiceOf(app).applyPath('grown.pt');
    await app.ckpt.models.idle();
    const writing = (await checkpoints(app)).get('grown.pt')!;
    expect(writing.integrity.status).toBe('writing');
    expect(modelTags(writing)).toEqual(['writing']);
    expect((await get(app, '/api/summary')).json().tags.writing.count).toBe(1);

    now += 11_000;
    await app.ckpt.models.recheck();
    const settled = (await checkpoints(app)).get('grown.pt')!;
    expect(settled).toMatchObject({ integrity: { status: 'ok' }, epoch: 7 });
    expect(modelTags(settled)).toEqual([]);
  });

  it('gives a checkpoint without metrics of its own the sidecar metrics of its run folder', async () => {
    const config = testConfig();
    mkdirSync(join(config.root, 'run'), { recursive: true });
    copyAged(fixture('state_dict.pt'), join(config.root, 'run', 'weights.pt'));
    copyAged(fixture('final_model.pt'), join(config.root, 'run', 'final_model.pt'));
    writeFileSync(join(config.root, 'run', 'results.json'), JSON.stringify({ test: { px: 3.5 }, notes: 'ok' }));
    writeFileSync(join(config.root, 'run', 'eval_val.json'), JSON.stringify({ val_px: 3.9 }));
    const app = await readyApp(config);
    const list = await checkpoints(app);
    // The bare state dict saved no metrics: the run's files speak for it.
    expect(list.get('run/weights.pt')!.metrics).toEqual({ 'test.px': 3.5, val_px: 3.9 });
    // A checkpoint with its own metrics keeps them.
    expect(list.get('run/final_model.pt')!.metrics).toEqual({ 'metrics.val_px': 3.95, 'metrics.test_px': 4.1 });
    const entry = (await get(app, '/api/entry?path=run/weights.pt')).json();
    expect(entry.checkpoint.details.scalars['metrics.source']).toBe('eval_val.json, results.json');
  });

  it('follows the index: a new checkpoint is read, a deleted one disappears', async () => {
    const config = fixtureTree();
    const app = await readyApp(config);
    const scan = scanServiceOf(app);
    mkdirSync(join(config.root, 'exp', 'seed2'));
    copyAged(fixture('state_dict.pt'), join(config.root, 'exp', 'seed2', 'best.pt'));
    rmSync(join(config.root, 'whole_model.pt'));
    await scan.rescanSubtree('exp');
    await scan.applyPath('whole_model.pt');
    await app.ckpt.models.idle();
    const items = await checkpoints(app);
    expect(items.get('exp/seed2/best.pt')).toMatchObject({ run: 'exp/seed2', tensors: 4, integrity: { status: 'ok' } });
    expect(items.has('whole_model.pt')).toBe(false);
    expect((await get(app, '/api/summary')).json().tags['unsafe-pickle']).toBeUndefined();
  });
});
