// Every checkpoint of the generated demo project read through RootFs, as the
// app will: epoch, step and val_px as the generator planned them, model and
// optimizer state seen, integrity ok; and the folders' checkpoints recognised.
import { closeSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlannedFile } from '../demo/demo-run.js';
import { planDemo } from '../demo/demo-plan.js';
import { generateDemoProject } from '../demo/generate.js';
import { categorize } from '../demo/manifest.js';
import { RootFs } from '../fs/root-fs.js';
import { groupCheckpoints } from './group.js';
import { readCheckpoint } from './read-checkpoint.js';
import { readSidecars } from './read-folder.js';
import { localFolder } from './folder-files.js';

let top: string;
let checkpoints: string;
const planned = planDemo().filter((f): f is Extract<PlannedFile, { kind: 'checkpoint' }> => f.kind === 'checkpoint');

beforeAll(async () => {
  top = mkdtempSync(path.join(os.tmpdir(), 'ckptdash-models-demo-'));
  await generateDemoProject(top);
  checkpoints = path.join(top, 'checkpoints');
});
afterAll(() => {
  rmSync(top, { recursive: true, force: true });
});

describe('demo project checkpoints', () => {
  it('every planned checkpoint reads with its epoch, step, val_px, model and integrity ok', () => {
    const fs = new RootFs(checkpoints);
    const categories = new Set<string>();
    expect(planned.length).toBeGreaterThan(1100);
    for (const f of planned) {
      const { fd, stat } = fs.openFile(f.path);
      let info;
      try {
        const mtimeMs = Number(stat.mtimeNs) / 1e6;
        info = readCheckpoint(fd, Number(stat.size), mtimeMs, { now: mtimeMs + 86_400_000 });
      } finally {
        closeSync(fd);
      }
      expect(info.format, f.path).toBe('torch-zip');
      expect(info.integrity, f.path).toEqual({ status: 'ok' });
      expect(info.epoch, f.path).toBe(f.spec.epoch);
      expect(info.step, f.path).toBe(f.spec.extra?.global_step);
      expect(info.metrics.val_px, f.path).toBe(f.spec.metrics.val_px);
      expect(info.metrics.val_loss, f.path).toBe(f.spec.metrics.val_loss);
      expect(info.tensors, f.path).toBe(1);
      expect(info.parameters, f.path).toBeGreaterThan(0);
      expect(info.optimizerBytes !== undefined, f.path).toBe(f.spec.optimizer === true);
      if (f.spec.optimizer) expect(info.optimizerBytes, f.path).toBe(2 * info.parameters! * 4 + 4);
      expect(info.unsafe, f.path).toBe(false);
      if (f.spec.extra?.config) expect(info.scalars['config.seed'], f.path).toBeDefined();
      categories.add(categorize(f.path));
    }
    expect([...categories].sort()).toEqual(['ablation', 'critical', 'debug', 'experiment', 'historical', 'intermediate', 'optional']);
  });

  it('recognises every checkpoint in every folder, and nothing else', () => {
    const expected = new Set(planned.map((f) => f.path));
    const found: string[] = [];
    const walk = (rel: string): void => {
      const dir = path.join(checkpoints, rel);
      const names = readdirSync(dir);
      const isDir = (n: string) => statSync(path.join(dir, n)).isDirectory();
      for (const u of groupCheckpoints(names, isDir)) found.push(rel ? `${rel}/${u.name}` : u.name);
      for (const n of names) if (isDir(n)) walk(rel ? `${rel}/${n}` : n);
    };
    walk('');
    expect(found.sort()).toEqual([...expected].sort());
  });

  it("an ablation run's results.json is read as a sidecar", () => {
    const { metrics, files } = readSidecars(localFolder(path.join(checkpoints, 'session10', 'exp2_hidden1024')));
    expect(files).toEqual(['results.json']);
    expect(metrics).toEqual({ val_px: 4.19 });
  });
});
