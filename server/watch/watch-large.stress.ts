import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempRoot } from '../scan/test-utils/trees.js';
import { countDirs, expectSameAsFresh, watched } from './test-utils/watched.js';

const FILES = 100_000;
const PER_FOLDER = 500;

/** The sum of regular files' apparent sizes and their count, as find(1) sees them. */
function findTotals(root: string): { files: number; bytes: number } {
  const out = execFileSync('find', [root, '-type', 'f', '-printf', '%s\\n'], { maxBuffer: 64 * 1024 * 1024 }).toString();
  const sizes = out.split('\n').filter(Boolean).map(Number);
  return { files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

describe('a 100,000-file tree under watch', () => {
  it('scans to the same totals as find, keeps one watch per folder, and stays equal to a fresh scan through a churn of changes', async () => {
    const root = tempRoot('ckpt-stress-');
    for (let i = 0; i < FILES; i++) {
      const dir = join(root, `run${Math.floor(i / PER_FOLDER)}`);
      if (i % PER_FOLDER === 0) mkdirSync(dir);
      writeFileSync(join(dir, `checkpoint_epoch${i % PER_FOLDER}.pt`), i % 7 === 0 ? 'x'.repeat(i % 1000) : '');
    }
    const { s, w } = await watched(root);
    const sum = s.summary();
    const expected = findTotals(root);
    expect(sum.files).toBe(expected.files);
    expect(sum.bytes).toBe(expected.bytes);
    expect(w.watchCount).toBe(countDirs(root));

    // Training-like churn: new checkpoints, growth, rotation, a run moved away and back.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) writeFileSync(join(root, `run${round}`, `new_${round}_${i}.pt`), 'y'.repeat(i));
      for (let i = 0; i < 200; i++) appendFileSync(join(root, `run${round + 10}`, `checkpoint_epoch${i}.pt`), 'z'.repeat(100));
      for (let i = 0; i < 300; i++) rmSync(join(root, `run${round + 20}`, `checkpoint_epoch${i}.pt`));
      renameSync(join(root, `run${round + 30}`), join(root, `moved${round}`));
      await w.idle();
      await expectSameAsFresh(s, root, `after round ${round}`);
    }
    expect(s.summary().files).toBe(findTotals(root).files);
    expect(w.watchCount).toBe(countDirs(root));
  });
});
