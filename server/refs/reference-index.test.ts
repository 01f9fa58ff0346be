import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOne, readReferences } from './reader.js';
import { ReferenceIndex } from './reference-index.js';
import { liveExists, tempProject, write } from './test-utils/project.js';

describe('ReferenceIndex', () => {
  it('answers by target, lists stale references and re-resolves after the tree changes', async () => {
    const { project, root } = tempProject();
    write(root, 'run/final_model.pt', 'x');
    write(root, 'run/best.pt', 'x');
    write(project, 'configs/pin.yaml', 'models:\n  - checkpoints/run/final_model.pt\n  - checkpoints/run/best.pt\nout: checkpoints/new_run\n');
    write(project, 'scripts/eval.sh', 'python eval.py --ckpt checkpoints/run/final_model.pt\n');
    const exists = liveExists(root);
    const index = new ReferenceIndex(await readReferences({ project, root, exists }));

    expect(index.refsTo('run/final_model.pt')).toEqual([
      { file: 'configs/pin.yaml', line: 2, key: 'models[0]', protects: true, missing: false },
      { file: 'scripts/eval.sh', line: 1, protects: false, missing: false },
    ]);
    expect([...index.targets()].sort()).toEqual(['run/best.pt', 'run/final_model.pt']);
    expect(index.stale()).toEqual([]);

    const v = index.version;
    rmSync(path.join(root, 'run/best.pt'));
    write(root, 'new_run/checkpoint_epoch1.pt', 'x');
    expect(index.recheckMissing(exists)).toBe(true);
    expect(index.version).toBeGreaterThan(v);
    expect(index.stale()).toEqual([{ file: 'configs/pin.yaml', line: 3, key: 'models[1]', target: 'run/best.pt' }]);
    expect(index.refsTo('run/best.pt')).toEqual([{ file: 'configs/pin.yaml', line: 3, key: 'models[1]', protects: true, missing: true }]);
    // A folder named before it existed becomes a reference once it appears.
    expect(index.refsTo('new_run')).toEqual([{ file: 'configs/pin.yaml', line: 4, key: 'out', protects: true, missing: false }]);

    const v2 = index.version;
    expect(index.recheckMissing(exists)).toBe(false);
    expect(index.version).toBe(v2);
  });

  it('patches one file at a time and forgets deleted folders', async () => {
    const { project, root } = tempProject();
    write(root, 'a.pt', 'x');
    write(root, 'b.pt', 'x');
    write(project, 'configs/x/one.json', '{"m": "checkpoints/a.pt"}');
    write(project, 'configs/two.json', '{"m": "checkpoints/a.pt"}');
    const opts = { project, root, exists: liveExists(root) };
    const index = new ReferenceIndex(await readReferences(opts));
    expect(index.refsTo('a.pt').map((r) => r.file)).toEqual(['configs/two.json', 'configs/x/one.json']);

    write(project, 'configs/two.json', '{"m": "checkpoints/b.pt"}');
    expect(index.apply(await readOne('configs/two.json', opts))).toBe(true);
    expect(index.refsTo('a.pt').map((r) => r.file)).toEqual(['configs/x/one.json']);
    expect(index.refsTo('b.pt').map((r) => r.file)).toEqual(['configs/two.json']);

    rmSync(path.join(project, 'configs/x'), { recursive: true });
    expect(index.removeUnder('configs/x')).toEqual(['configs/x/one.json']);
    expect(index.refsTo('a.pt')).toEqual([]);
    expect([...index.targets()]).toEqual(['b.pt']);

    expect(index.apply({ status: 'skipped', skipped: { file: 'configs/two.json', reason: 'too-large' } })).toBe(true);
    expect(index.refsTo('b.pt')).toEqual([]);
    expect(index.skipped).toEqual([{ file: 'configs/two.json', reason: 'too-large' }]);
    expect(index.apply(await readOne('configs/two.json', opts))).toBe(true);
    expect(index.skipped).toEqual([]);
  });
});
