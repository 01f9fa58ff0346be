// A file deleted and another created that gets its inode back (ext4 reuses
// them at once), the new name applied before the old one is seen gone: for a
// moment the index holds both with one inode, as if they were hard links. The
// new file must be counted again once the old entry goes.
import { lstatSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectConsistent, scanned, tempRoot } from './test-utils/trees.js';

describe('an inode reused by a new file before the old name is applied', () => {
  it('counts the new file in its folder once the old entry is removed', async () => {
    const root = tempRoot();
    writeFileSync(join(root, 'keep.pt'), 'k');
    const s = await scanned(root);
    let reused = 0;
    for (let i = 0; i < 50; i++) {
      const old = join(root, `a${i}.pt`);
      writeFileSync(old, 'o'.repeat(10));
      await s.applyPath(`a${i}.pt`);
      const ino = lstatSync(old).ino;
      unlinkSync(old);
      const fresh = join(root, `b${i}.pt`);
      writeFileSync(fresh, 'n'.repeat(100 + i));
      if (lstatSync(fresh).ino === ino) reused++;
      // The watcher may deliver the names in any order: the new one first (and it sorts after the
      // old one, so the old entry is the one "charged" while both are there).
      await s.applyPath(`b${i}.pt`);
      await s.applyPath(`a${i}.pt`);
      expect(s.entry(`b${i}.pt`)?.tags ?? []).not.toContain('hardlink');
    }
    // The filesystem gave inodes back, so the case happened (on ext4 and tmpfs it always does).
    expect(reused).toBeGreaterThan(0);
    const sum = s.summary();
    expect(sum.files).toBe(51);
    expect(sum.bytes).toBe(1 + Array.from({ length: 50 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0));
    expectConsistent(s);
  });
});
