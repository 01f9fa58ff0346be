import { closeSync, mkdirSync, openSync, rmSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { RunTotal } from '../../shared/schemas/api.js';
import type { Checkpoint } from '../../shared/schemas/entry.js';
import { ScanService } from '../scan/scan-service.js';
import { ageTree, apiOf } from '../test-utils/api-client.js';
import { testApp, testConfig } from '../test-utils/app.js';

const GB = 2 ** 30;
const MB = 2 ** 20;

/** A sparse file: its apparent size costs no disk. */
function sparse(root: string, rel: string, bytes: number): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'w'));
  if (bytes > 0) truncateSync(path, bytes);
}

/**
 * Sixteen runs: two of 7 GB each (a tie, one of them with a Hugging Face checkpoint folder), a small
 * one, the root itself, and twelve of 1 to 12 MB, so the default limit leaves some out.
 */
function runsTree(root: string): void {
  sparse(root, 'big/seed1/checkpoint_epoch1.pt', 3 * GB);
  sparse(root, 'big/seed1/checkpoint_epoch2.pt', 3 * GB);
  sparse(root, 'big/seed1/final_model.pt', 1 * GB);
  sparse(root, 'big/seed2/checkpoint-100/model.safetensors', 2 * GB);
  sparse(root, 'big/seed2/final_model.pt', 5 * GB);
  sparse(root, 'small/best.pt', 1 * MB);
  sparse(root, 'stray_final.pt', 300 * MB);
  // Not a checkpoint: counts in the tree, not in any run.
  sparse(root, 'big/seed1/notes.txt', 50 * GB);
  for (let i = 1; i <= 12; i++) sparse(root, `many/run${i}/model.pt`, i * MB);
  ageTree(root);
}

async function readyApp(): Promise<{ app: FastifyInstance; root: string }> {
  const config = testConfig();
  runsTree(config.root);
  const app = await testApp(config);
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  return { app, root: config.root };
}

/** What a client would compute from the whole list: every run, heaviest first. */
async function runsFromList(app: FastifyInstance): Promise<RunTotal[]> {
  const res = await apiOf(app).checkpoints();
  expect(res.statusCode).toBe(200);
  const byRun = new Map<string, RunTotal>();
  for (const c of res.json().items as Checkpoint[]) {
    const t = byRun.get(c.run) ?? { run: c.run, bytes: 0, count: 0 };
    t.bytes += c.bytes;
    t.count++;
    byRun.set(c.run, t);
  }
  return [...byRun.values()].sort((a, b) => b.bytes - a.bytes || (a.run < b.run ? -1 : 1));
}

describe('GET /api/checkpoints/runs', () => {
  it('sums checkpoints per run on the server and answers only the heaviest', async () => {
    const { app } = await readyApp();
    const api = apiOf(app);
    const all = await runsFromList(app);
    expect(all).toHaveLength(16);

    const res = await api.get('/api/checkpoints/runs');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // Ten by default, and the count of every run beside them.
    expect(body).toEqual({ total: 16, items: all.slice(0, 10) });
    expect(body.items.slice(0, 4)).toEqual([
      // A tie in bytes falls back to the run's name.
      { run: 'big/seed1', bytes: 7 * GB, count: 3 },
      { run: 'big/seed2', bytes: 7 * GB, count: 2 },
      { run: '', bytes: 300 * MB, count: 1 },
      { run: 'many/run12', bytes: 12 * MB, count: 1 },
    ]);
    expect(body.items.at(-1)).toEqual({ run: 'many/run6', bytes: 6 * MB, count: 1 });

    const two = (await api.get('/api/checkpoints/runs?limit=2')).json();
    expect(two).toEqual({ total: 16, items: all.slice(0, 2) });
    const every = (await api.get('/api/checkpoints/runs?limit=1000')).json();
    expect(every).toEqual({ total: 16, items: all });
    // The answer is the small one it is meant to be.
    expect(res.body.length).toBeLessThan(1_000);
  });

  it('refuses a limit out of range or an unknown parameter', async () => {
    const { app } = await readyApp();
    const api = apiOf(app);
    for (const url of ['/api/checkpoints/runs?limit=0', '/api/checkpoints/runs?limit=1001', '/api/checkpoints/runs?limit=ten', '/api/checkpoints/runs?run=big']) {
      const res = await api.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
    }
  });

  it('follows the index: a deleted run drops out, a new checkpoint counts', async () => {
    const { app, root } = await readyApp();
    const scan = app.ckpt.scan;
    if (!(scan instanceof ScanService)) throw new Error('the app should run the real scanner');
    rmSync(join(root, 'big', 'seed2'), { recursive: true });
    sparse(root, 'small/checkpoint_epoch3.pt', 9 * GB);
    ageTree(join(root, 'small'));
    await scan.rescanSubtree('big');
    await scan.rescanSubtree('small');
    await app.ckpt.models.idle();

    const body = (await apiOf(app).get('/api/checkpoints/runs?limit=3')).json();
    expect(body).toEqual({
      total: 15,
      items: [
        { run: 'small', bytes: 9 * GB + 1 * MB, count: 2 },
        { run: 'big/seed1', bytes: 7 * GB, count: 3 },
        { run: '', bytes: 300 * MB, count: 1 },
      ],
    });
    expect(body.items).toEqual((await runsFromList(app)).slice(0, 3));
  });

  it('answers an empty tree with no runs', async () => {
    const app = await testApp();
    await app.ckpt.scan.ready();
    await app.ckpt.models.idle();
    expect((await apiOf(app).get('/api/checkpoints/runs')).json()).toEqual({ total: 0, items: [] });
  });
});
