// A folder being deleted is swapped for a symlink to the outside, over and
// over, by another process, while the server deletes it: whatever the timing,
// nothing outside the root is ever deleted.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auth } from '../test-utils/app.js';
import { rulesApp } from '../tags/test-utils/rules.js';

const ITERATIONS = Number(process.env.SWAP_ITERATIONS ?? 1_000);
const OLD = new Date(Date.now() - 10 * 86_400_000);

/** The racer: renames run/sub away and puts a link to the outside in its place, in a tight loop. */
const RACER = `
const fs = require('node:fs');
const [root, outside] = process.argv.slice(1);
const sub = root + '/run/sub';
const away = root + '/run/away';
for (;;) {
  try { fs.rmSync(away, { recursive: true, force: true }); fs.renameSync(sub, away); } catch {}
  try { fs.symlinkSync(outside, sub); } catch {}
  try { fs.unlinkSync(sub); } catch {}
}
`;

describe('deleting while a parent folder is swapped for a symlink', () => {
  it(`${ITERATIONS} deletions raced by a folder swap never touch the outside`, async () => {
    const app = await rulesApp({ 'keep.txt': { text: 'k' } });
    const root = app.ckpt.config.root;
    const outside = join(dirname(root), 'outside');
    mkdirSync(outside);
    const sentinels = ['x.pt', 'y.pt', 'deep/z.pt'].map((n) => join(outside, n));
    for (const s of sentinels) {
      mkdirSync(dirname(s), { recursive: true });
      writeFileSync(s, 'sentinel');
    }
    const scan = app.ckpt.scan as unknown as { applyPath(p: string): Promise<void>; rescanSubtree(p: string): Promise<void> };
    const headers = { host: 'localhost', ...auth };
    const racer = spawn(process.execPath, ['-e', RACER, root, outside], { stdio: 'ignore' });
    const codes = new Map<number, number>();
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        // A fresh folder with the outside's names, built under a name the racer never touches (writing
        // into run/sub could follow the racer's link), then moved into place when the racer lets it.
        const fresh = join(root, 'run', `fresh-${i}`);
        mkdirSync(join(fresh, 'deep'), { recursive: true });
        for (const n of ['x.pt', 'y.pt', 'deep/z.pt']) {
          writeFileSync(join(fresh, n), 'inside');
          utimesSync(join(fresh, n), OLD, OLD);
        }
        for (let tries = 0; tries < 1000 && existsSync(fresh); tries++) {
          try {
            renameSync(fresh, join(root, 'run/sub'));
          } catch {
            // run/sub is the racer's link or folder right now: try again.
          }
        }
        // Only the swapped folder: the racer's moved-away copies pile up beside it and need no rescan.
        await scan.applyPath('run/sub');
        await scan.rescanSubtree('run/sub').catch(() => {});
        const path = i % 2 === 0 ? 'run/sub' : 'run/sub/deep/z.pt';
        const res = await app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path } });
        codes.set(res.statusCode, (codes.get(res.statusCode) ?? 0) + 1);
        for (const s of sentinels) expect(readFileSync(s, 'utf8'), `iteration ${i}`).toBe('sentinel');
      }
    } finally {
      racer.kill('SIGKILL');
    }
    for (const s of sentinels) expect(existsSync(s)).toBe(true);
    expect(readdirSync(outside).sort()).toEqual(['deep', 'x.pt', 'y.pt']);
    // The race was real: some deletions went through, some were refused.
    expect(codes.get(200) ?? 0, JSON.stringify([...codes])).toBeGreaterThan(0);
    expect(ITERATIONS - (codes.get(200) ?? 0), JSON.stringify([...codes])).toBeGreaterThan(0);
  });
});
