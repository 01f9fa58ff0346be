import { mkdirSync, symlinkSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/temp.js';
import { readOne, readReferences, type FileRefs, type FoundRef } from './reader.js';
import { listSources, sourceScope } from './sources.js';
import { liveExists, listRoot, tempProject, write } from './test-utils/project.js';

const strip = (f: FileRefs | undefined): FoundRef[] => f?.refs ?? [];

function sample(): { project: string; root: string } {
  const p = tempProject();
  for (const f of [
    'session10/ensemble/seed123/final_model.pt',
    'session13/seed321/final_model.pt',
    'x.pt',
    'hf/model-00001-of-00002.safetensors',
    'hf/model-00002-of-00002.safetensors',
    'hf/model.safetensors.index.json',
  ]) {
    write(p.root, f, 'x');
  }
  return p;
}

describe('readReferences', () => {
  it('reads JSON, YAML and TOML pin sources with key paths and lines', async () => {
    const { project, root } = sample();
    write(project, 'configs/ensemble.json', '{\n  "models": [\n    "checkpoints/session10/ensemble/seed123/final_model.pt",\n    "checkpoints/session13/seed321/final_model.pt"\n  ]\n}\n');
    write(project, 'configs/eval.yaml', 'eval:\n  members:\n    - path: checkpoints/x.pt\n');
    write(project, 'configs/train.toml', '[resume]\nfrom = "./checkpoints/session13/seed321/final_model.pt"\n');
    const scan = await readReferences({ project, root, exists: liveExists(root) });
    expect(scan.skipped).toEqual([]);
    expect(scan.files.get('configs/ensemble.json')).toMatchObject({ protects: true });
    expect(strip(scan.files.get('configs/ensemble.json'))).toEqual([
      { target: 'session10/ensemble/seed123/final_model.pt', line: 3, key: 'models[0]', missing: false },
      { target: 'session13/seed321/final_model.pt', line: 4, key: 'models[1]', missing: false },
    ]);
    expect(strip(scan.files.get('configs/eval.yaml'))).toEqual([{ target: 'x.pt', line: 3, key: 'eval.members[0].path', missing: false }]);
    expect(strip(scan.files.get('configs/train.toml'))).toEqual([
      { target: 'session13/seed321/final_model.pt', line: 2, key: 'resume.from', missing: false },
    ]);
  });

  it('reads shell and Python text sources without protecting, in every path form', async () => {
    const { project, root } = sample();
    write(project, 'scripts/eval.sh', `#!/bin/bash\nMODELS=(\n  checkpoints/x.pt\n  ./checkpoints/session13/seed321/final_model.pt\n)\npython eval.py --ckpt ${root}/hf/model.safetensors.index.json\n`);
    write(project, 'scripts/tools/load.py', "import torch\nm = torch.load('../../checkpoints/x.pt')\nn = Path(\"checkpoints\") / \"x.pt\"\n");
    write(project, 'train.py', 'CKPT = "checkpoints/session10/ensemble/seed123/final_model.pt"  # best\n');
    write(project, 'configs/sub/deep.json', '{"ckpt": "../../checkpoints/x.pt", "same": "checkpoints/x.pt"}');
    const scan = await readReferences({ project, root, exists: liveExists(root) });
    const sh = scan.files.get('scripts/eval.sh')!;
    expect(sh.protects).toBe(false);
    expect(sh.refs).toEqual([
      { target: 'x.pt', line: 3, missing: false },
      { target: 'session13/seed321/final_model.pt', line: 4, missing: false },
      // A shard set's index is reported as itself; the server protects its shards.
      { target: 'hf/model.safetensors.index.json', line: 6, missing: false },
    ]);
    expect(strip(scan.files.get('scripts/tools/load.py'))).toEqual([{ target: 'x.pt', line: 2, missing: false }]);
    expect(strip(scan.files.get('train.py'))).toEqual([{ target: 'session10/ensemble/seed123/final_model.pt', line: 1, missing: false }]);
    expect(scan.files.get('configs/sub/deep.json')).toMatchObject({
      protects: true,
      refs: [
        { target: 'x.pt', line: 1, key: 'ckpt', missing: false },
        { target: 'x.pt', line: 1, key: 'same', missing: false },
      ],
    });
  });

  it('marks a vanished checkpoint missing and ignores words that are not checkpoints', async () => {
    const { project, root } = sample();
    write(project, 'configs/old.json', '{"a": "checkpoints/repro/session10/seed123/final_model.pt", "b": "checkpoints/notes", "c": "checkpoints/session10/typo"}');
    const scan = await readReferences({ project, root, exists: liveExists(root) });
    expect(strip(scan.files.get('configs/old.json'))).toEqual([
      { target: 'repro/session10/seed123/final_model.pt', line: 1, key: 'a', missing: true },
      { target: 'session10/typo', line: 1, key: 'c', missing: true },
    ]);
  });

  it('reads broken JSON as text and still protects', async () => {
    const { project, root } = sample();
    write(project, 'configs/broken.json', '{\n  "models": [\n    "checkpoints/x.pt",\n  ]\n');
    const scan = await readReferences({ project, root, exists: liveExists(root) });
    expect(scan.files.get('configs/broken.json')).toMatchObject({ protects: true, refs: [{ target: 'x.pt', line: 3, missing: false }] });
  });

  it('does not follow a symlinked config folder or file, and reports them', async () => {
    const { project, root } = sample();
    const elsewhere = tempDir('ckptdash-refs-outside-');
    write(elsewhere, 'real/pin.json', '{"m": "checkpoints/x.pt"}');
    symlinkSync(path.join(elsewhere, 'real'), path.join(project, 'configs'));
    symlinkSync(path.join(elsewhere, 'real/pin.json'), path.join(project, 'linked.json'));
    const scan = await readReferences({ project, root, exists: liveExists(root) });
    expect(scan.files.size).toBe(0);
    expect(scan.skipped).toEqual([
      { file: 'configs', reason: 'symlink' },
      { file: 'linked.json', reason: 'symlink' },
    ]);
    const one = await readOne('configs/pin.json', { project, root, exists: liveExists(root) });
    expect(one).toEqual({ status: 'skipped', skipped: { file: 'configs', reason: 'symlink' } });
  });

  it('skips and reports a 5 MB file and binary files', async () => {
    const { project, root } = sample();
    const big = write(project, 'scripts/huge.log', 'checkpoints/x.pt\n');
    truncateSync(big, 5 * 1024 * 1024);
    write(project, 'scripts/tool.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0x2f]));
    write(project, 'scripts/ok.sh', 'checkpoints/x.pt\n');
    const scan = await readReferences({ project, root, exists: liveExists(root) });
    expect([...scan.files.keys()]).toEqual(['scripts/ok.sh']);
    expect(scan.skipped).toEqual([
      { file: 'scripts/huge.log', reason: 'too-large' },
      { file: 'scripts/tool.bin', reason: 'binary' },
    ]);
  });

  it('stops after the file limit and says where', async () => {
    const { project, root } = sample();
    for (let i = 0; i < 12; i++) write(project, `scripts/s${String(i).padStart(2, '0')}.sh`, 'checkpoints/x.pt');
    const scan = await readReferences({ project, root, exists: liveExists(root), maxFiles: 10 });
    expect(scan.files.size).toBe(10);
    expect(scan.skipped).toEqual([{ file: 'scripts/s10.sh', reason: 'limit' }]);
  });

  it('never enters the root, .git, node_modules or excluded paths', async () => {
    const { project, root } = sample();
    write(root, 'inner.json', '{"a": "x.pt"}');
    write(project, '.git/config.json', '{"a": "checkpoints/x.pt"}');
    write(project, 'node_modules/p/pkg.json', '{"a": "checkpoints/x.pt"}');
    write(project, 'demo-manifest.json', '{"a": "checkpoints/x.pt"}');
    write(project, 'backups/b.json', '{"a": "checkpoints/x.pt"}');
    write(project, 'ckptdash.config.json', '{"ignore": ["checkpoints/x.pt"]}');
    write(project, 'kept.json', '{"a": "checkpoints/x.pt"}');
    const scan = await readReferences({
      project,
      root,
      exists: liveExists(root),
      pinSources: ['**/*.json'],
      textSources: [],
      exclude: ['demo-manifest.json', path.join(project, 'backups') + '/'],
    });
    expect([...scan.files.keys()]).toEqual(['kept.json']);
  });

  it('only walks folders a glob can reach', async () => {
    const { project, root } = sample();
    for (let i = 0; i < 20; i++) write(project, `data/d${i}/a.json`, '{"a": "checkpoints/x.pt"}');
    write(project, 'configs/a/b/c.yaml', 'm: checkpoints/x.pt\n');
    write(project, 'configs/a/notes.txt', 'checkpoints/x.pt\n');
    const listed = await listSources(sourceScope({ project, root }));
    expect(listed.files.map((f) => f.file)).toEqual(['configs/a/b/c.yaml']);
    // The project top, configs, configs/a, configs/a/b: not data/ nor the root.
    expect(listed.dirsRead).toBe(4);
  });

  it('does not take a sibling folder sharing the root name prefix for the root', async () => {
    const top = tempDir('ckptdash-refs-');
    const root = path.join(top, 'ckpt');
    mkdirSync(root);
    write(top, 'ckpt-evil/a.pt', 'x');
    write(root, 'a.pt', 'x');
    write(top, 'refs.json', JSON.stringify({ evil: `${top}/ckpt-evil/a.pt`, rel: 'ckpt-evil/a.pt', good: 'ckpt/a.pt' }));
    const known = listRoot(root);
    const scan = await readReferences({ project: top, root, exists: (r) => known.has(r) });
    expect(strip(scan.files.get('refs.json'))).toEqual([{ target: 'a.pt', line: 1, key: 'good', missing: false }]);
  });
});

describe('readOne', () => {
  it('re-reads one source, and says when a path is not one', async () => {
    const { project, root } = sample();
    write(project, 'configs/a.json', '{"m": "checkpoints/x.pt"}');
    const opts = { project, root, exists: liveExists(root) };
    expect(await readOne('configs/a.json', opts)).toMatchObject({ status: 'read', refs: { file: 'configs/a.json', protects: true } });
    expect(await readOne('configs/gone.json', opts)).toEqual({ status: 'absent', file: 'configs/gone.json' });
    expect(await readOne('README.md', opts)).toEqual({ status: 'absent', file: 'README.md' });
    expect(await readOne('../outside.json', opts)).toEqual({ status: 'absent', file: '../outside.json' });
  });
});
