import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../demo/generate.js';
import { readReferences, type ReferenceScan } from './reader.js';
import { ReferenceIndex } from './reference-index.js';
import { listRoot } from './test-utils/project.js';

let top: string;
let scan: ReferenceScan;

beforeAll(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), 'ckptdash-refs-demo-'));
  const project = path.join(top, 'demo');
  await generateDemoProject(project);
  const root = path.join(project, 'checkpoints');
  const known = listRoot(root);
  scan = await readReferences({ project, root, exists: (r) => known.has(r), exclude: ['demo-manifest.json'] });
});
afterAll(async () => {
  await rm(top, { recursive: true, force: true });
});

describe('references of the demo project', () => {
  it('pins the four critical models from configs/ensemble_best.json lines 7-10', () => {
    const index = new ReferenceIndex(scan);
    const critical = [
      'session10/ensemble/seed123/final_model.pt',
      'session13/seed321/final_model.pt',
      'repro_split111/session14/seed111/final_model.pt',
      'repro_split666/session16/seed666/final_model.pt',
    ];
    critical.forEach((target, i) => {
      expect(index.refsTo(target), target).toEqual([
        { file: 'configs/ensemble_best.json', line: 7 + i, key: `models[${i}]`, protects: true, missing: false },
      ]);
    });
    expect(scan.files.get('configs/ensemble_best.json')!.refs.map((r) => r.target)).toEqual(critical);
  });

  it('finds the quickstart script references as warnings only', () => {
    const quick = scan.files.get('scripts/quickstart_landmarks.sh')!;
    expect(quick.protects).toBe(false);
    expect(quick.refs).toEqual([
      { target: 'repro_quickstart/session10/seed123/final_model.pt', line: 7, missing: false },
      { target: 'repro_quickstart/session10/seed456/final_model.pt', line: 8, missing: false },
      { target: 'repro_quickstart/session13/seed321/final_model.pt', line: 9, missing: false },
      { target: 'repro_quickstart/session13/seed789/final_model.pt', line: 10, missing: false },
    ]);
  });

  it('reads the other sources, skips nothing and never the manifest', () => {
    expect([...scan.files.keys()].sort()).toEqual([
      'GROUND_TRUTH.json',
      'configs/ensemble_best.json',
      'scripts/evaluate_ensemble_from_config.py',
      'scripts/quickstart_landmarks.sh',
    ]);
    expect(scan.files.get('GROUND_TRUTH.json')!.refs).toEqual([]);
    expect(scan.files.get('scripts/evaluate_ensemble_from_config.py')!.refs).toEqual([]);
    expect(scan.skipped).toEqual([]);
  });
});
