import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDemoDir, ensureDemoProject } from './ensure.js';

let top: string;
beforeAll(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), 'ckptdash-ensure-'));
});
afterAll(async () => {
  await rm(top, { recursive: true, force: true });
});

const generatedAt = async (dir: string): Promise<string> =>
  JSON.parse(await readFile(path.join(dir, 'demo-manifest.json'), 'utf8')).generatedAt;

describe('ensureDemoProject', () => {
  it('generates once, then reuses; reset regenerates and leaves no siblings behind', async () => {
    const dir = path.join(top, 'cache', 'ckptdash', 'demo');
    const first = await ensureDemoProject({ dir });
    expect(first).toMatchObject({ projectDir: dir, checkpointsDir: path.join(dir, 'checkpoints'), generated: true });
    expect(first.elapsedMs).toBeGreaterThanOrEqual(0);
    const stamp = await generatedAt(dir);

    const again = await ensureDemoProject({ dir });
    expect(again.generated).toBe(false);
    expect(await generatedAt(dir)).toBe(stamp);

    await writeFile(path.join(dir, 'checkpoints', 'leftover.txt'), 'from the old demo');
    const reset = await ensureDemoProject({ dir, reset: true });
    expect(reset.generated).toBe(true);
    expect(await generatedAt(dir)).not.toBe(stamp);
    expect(await readdir(path.join(dir, 'checkpoints'))).not.toContain('leftover.txt');
    expect(await readdir(path.dirname(dir))).toEqual(['demo']);
  });

  it('refuses a non-empty folder that is not a demo, and fills an empty one', async () => {
    const foreign = path.join(top, 'foreign');
    await mkdir(foreign);
    await writeFile(path.join(foreign, 'precious.txt'), 'keep me');
    await expect(ensureDemoProject({ dir: foreign })).rejects.toThrow(/not a ckptdash demo/);
    await expect(ensureDemoProject({ dir: foreign, reset: true })).rejects.toThrow(/not a ckptdash demo/);
    expect(await readdir(foreign)).toEqual(['precious.txt']);

    const empty = path.join(top, 'empty');
    await mkdir(empty);
    expect((await ensureDemoProject({ dir: empty })).generated).toBe(true);
    expect(await readdir(empty)).toContain('demo-manifest.json');
  });

  it('removes what an interrupted generation left, and never serves it', async () => {
    const parent = path.join(top, 'interrupted');
    const dir = path.join(parent, 'demo');
    // A pid that has exited: the child of a finished process.
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = path.join(parent, `demo.partial-${deadPid}-abcd1234`);
    await mkdir(path.join(stale, 'checkpoints'), { recursive: true });
    await writeFile(path.join(stale, 'checkpoints', 'half.pt'), 'half');
    const result = await ensureDemoProject({ dir });
    expect(result.generated).toBe(true);
    expect((await readdir(parent)).sort()).toEqual(['demo']);
  });

  it('picks its default folder from CKPTDASH_DEMO_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultDemoDir({ CKPTDASH_DEMO_DIR: '/x/demo', XDG_CACHE_HOME: '/y' })).toBe(path.resolve('/x/demo'));
    expect(defaultDemoDir({ XDG_CACHE_HOME: '/y' })).toBe(path.join('/y', 'ckptdash', 'demo'));
    expect(defaultDemoDir({})).toBe(path.join(os.homedir(), '.cache', 'ckptdash', 'demo'));
  });
});
