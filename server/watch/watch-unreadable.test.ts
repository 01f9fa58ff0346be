import { spawnSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempRoot } from '../scan/test-utils/trees.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const asRoot = process.getuid?.() === 0;

interface Step {
  step: string;
  diff: string[];
  watchCount: number;
  entries: Record<string, { error?: string; children?: number; bytes?: number } | null>;
}

describe('unreadable folders', () => {
  it('are recorded, never crash the watcher, and are followed again once readable', async () => {
    const root = tempRoot('ckpt-watch-');
    // chmod 000 does not stop root: the watcher then runs as "nobody" in the child process.
    if (asRoot) chownSync(root, 65534, 65534);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'server/watch/test-utils/unreadable-cli.ts'), root], {
      cwd: repo,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const steps = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Step);
    const at = (name: string) => steps.find((s) => s.step === name)!;
    for (const s of steps) expect(s.diff, `${s.step}: live index differs from a fresh scan`).toEqual([]);
    expect(steps).toHaveLength(9);
    expect(at('watch refused').entries.later).toMatchObject({ error: 'EACCES', children: 0 });
    expect(at('watch refused').watchCount).toBe(4);
    expect(at('watched folder made unreadable').entries).toMatchObject({ locked: { error: 'EACCES', children: 0 }, 'locked/sub': null });
    expect(at("unreadable folder re-lstat'ed elsewhere").entries.locked).toMatchObject({ error: 'EACCES', children: 0 });
    expect(at('other folders still followed').entries['open/new.pt']).toMatchObject({ bytes: 5 });
    expect(at('readable again').entries['locked/sub/c.pt']).toMatchObject({ bytes: 30 });
    expect(at('its subfolder watched again').entries['locked/sub/e.pt']).toMatchObject({ bytes: 7 });
    expect(at('refused folder watched now').entries['later/f.pt']).toMatchObject({ bytes: 9 });
    expect(at('refused folder watched now').watchCount).toBe(5);
    expect(at('folder created unreadable').entries['born-locked']).toMatchObject({ error: 'EACCES' });
  }, 90_000);
});
