import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectConfigFile } from '../../shared/schemas/project-config.js';
import { tempDir } from '../test-utils/temp.js';
import { ProjectWatcher, type ProjectWatcherOptions } from './project-watcher.js';
import { ReferenceIndex } from './reference-index.js';
import { liveExists, tempProject, write } from './test-utils/project.js';

const open: ProjectWatcher[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

async function until(what: string, ok: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function started(extra: Partial<ProjectWatcherOptions> = {}) {
  const { project, root } = tempProject();
  write(root, 'run/a.pt', 'x');
  write(root, 'run/b.pt', 'x');
  write(project, 'configs/one.json', '{"m": "checkpoints/run/a.pt"}\n');
  write(project, 'configs/deep/two.yaml', 'm: checkpoints/run/a.pt\n');
  write(project, 'scripts/eval.sh', 'python eval.py checkpoints/run/a.pt\n');
  write(project, 'ckptdash.config.json', '{"lang": "es"}\n');
  const changes: string[][] = [];
  const configs: ProjectConfigFile[] = [];
  const errors: Error[] = [];
  const index = new ReferenceIndex();
  const w = await ProjectWatcher.start({
    project,
    root,
    exists: liveExists(root),
    index,
    debounceMs: 20,
    onChange: (files) => changes.push(files),
    onConfig: (c) => configs.push(c),
    onError: (e) => errors.push(e),
    ...extra,
  });
  open.push(w);
  return { project, root, index, w, changes, configs, errors };
}

describe('ProjectWatcher', () => {
  it('reads everything at start and watches only the folders the globs reach', async () => {
    const { index, w, errors } = await started();
    expect(index.refsTo('run/a.pt').map((r) => r.file)).toEqual(['configs/deep/two.yaml', 'configs/one.json', 'scripts/eval.sh']);
    expect(w.config).toEqual({ lang: 'es' });
    expect(w.configError).toBeUndefined();
    expect(w.watchedFolders()).toEqual(['', 'configs', 'configs/deep', 'scripts']);
    expect(errors).toEqual([]);
  });

  it('re-reads only the edited file and updates the index', async () => {
    const { project, index, w, changes } = await started();
    const untouched = index.file('configs/deep/two.yaml');
    const before = w.reads;
    writeFileSync(path.join(project, 'configs/one.json'), '{"m": "checkpoints/run/b.pt"}\n');
    await until('the edit', () => changes.length > 0);
    await w.idle();
    expect(changes).toEqual([['configs/one.json']]);
    expect(w.reads - before).toBe(1);
    expect(index.refsTo('run/b.pt')).toEqual([{ file: 'configs/one.json', line: 1, key: 'm', protects: true, missing: false }]);
    expect(index.refsTo('run/a.pt').map((r) => r.file)).toEqual(['configs/deep/two.yaml', 'scripts/eval.sh']);
    expect(index.file('configs/deep/two.yaml')).toBe(untouched);
  });

  it('does not lose a second save that follows the first within 50 ms', async () => {
    const { project, index, w } = await started();
    const file = path.join(project, 'configs/one.json');
    writeFileSync(file, '{"m": "checkpoints/run/b.pt"}\n');
    await until('the first save', () => index.refsTo('run/b.pt').length === 1);
    writeFileSync(file, '{"m": "checkpoints/run/a.pt", "n": "checkpoints/run/a.pt"}\n');
    await until('the second save', () => index.refsTo('run/b.pt').length === 0);
    await w.idle();
    expect(index.refsTo('run/a.pt').filter((r) => r.file === 'configs/one.json').map((r) => r.key)).toEqual(['m', 'n']);
  });

  it('follows new, deleted and symlinked sources', async () => {
    const { project, index, w, changes } = await started();
    write(project, 'configs/new/three.toml', 'm = "checkpoints/run/b.pt"\n');
    await until('the new file', () => index.refsTo('run/b.pt').length === 1);
    rmSync(path.join(project, 'configs/deep'), { recursive: true });
    await until('the deleted folder', () => !index.has('configs/deep/two.yaml'));
    rmSync(path.join(project, 'scripts/eval.sh'));
    await until('the deleted file', () => !index.has('scripts/eval.sh'));
    expect(index.refsTo('run/a.pt').map((r) => r.file)).toEqual(['configs/one.json']);

    const outside = tempDir('ckptdash-refs-outside-');
    write(outside, 'linked/pin.json', '{"m": "checkpoints/run/b.pt"}');
    symlinkSync(path.join(outside, 'linked'), path.join(project, 'configs/linked'));
    await until('the symlink', () => index.skipped.length > 0);
    expect(index.skipped).toEqual([{ file: 'configs/linked', reason: 'symlink' }]);
    await w.idle();
    expect(index.refsTo('run/b.pt').map((r) => r.file)).toEqual(['configs/new/three.toml']);
    expect(changes.flat()).not.toContain('configs/linked/pin.json');
  });

  it('keeps the last good config while the file is malformed', async () => {
    const texts: (string | null)[] = [];
    const errors: string[] = [];
    const { project, w, configs } = await started({ onConfigChange: (t) => texts.push(t), onConfigError: (e) => errors.push(e) });
    const file = path.join(project, 'ckptdash.config.json');
    const bad = '{\n  "lang": "en"\n  "readOnly": true\n}\n';
    writeFileSync(file, bad);
    await until('the config error', () => w.configError !== undefined);
    expect(w.configError).toMatch(/line 3 column 3/);
    expect(errors).toEqual([w.configError]);
    expect(w.config).toEqual({ lang: 'es' });
    expect(texts).toEqual([bad]);

    writeFileSync(file, '{"lang": "en", "colour": "red"}');
    await until('the invalid key', () => errors.length === 2);
    expect(w.configError).toMatch(/unknown key "colour"/);
    expect(w.config).toEqual({ lang: 'es' });

    writeFileSync(file, '{\n  "lang": "en"\n}\n');
    await until('the fixed config', () => w.configError === undefined);
    expect(w.config).toEqual({ lang: 'en' });
    rmSync(file);
    await until('the deleted config', () => configs.length === 2);
    expect(configs).toEqual([{ lang: 'en' }, {}]);
    expect(texts.at(-1)).toBeNull();
  });

  it('re-reads everything with new globs when the config changes them', async () => {
    const { project, index, w } = await started();
    write(project, 'experiments/pins.txt', 'checkpoints/run/b.pt\n');
    writeFileSync(path.join(project, 'ckptdash.config.json'), JSON.stringify({ pinSources: ['experiments/*.txt'], textSources: [] }));
    await until('the new sources', () => index.has('experiments/pins.txt'));
    await w.idle();
    expect([...index.files()].map((f) => f.file)).toEqual(['experiments/pins.txt']);
    expect(index.refsTo('run/b.pt')).toEqual([{ file: 'experiments/pins.txt', line: 1, protects: true, missing: false }]);
    expect(w.watchedFolders()).toEqual(['', 'experiments']);
  });

  it('stops reporting after close', async () => {
    const { project, w, changes } = await started();
    await w.close();
    await w.close();
    writeFileSync(path.join(project, 'configs/one.json'), '{"m": "checkpoints/run/b.pt"}\n');
    await new Promise((r) => setTimeout(r, 150));
    expect(changes).toEqual([]);
    expect(w.watchedFolders()).toEqual([]);
  });
});
