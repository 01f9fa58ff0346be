import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { put, tempRoot } from '../scan/test-utils/trees.js';
import { countDirs, expectSameAsFresh, waitFor, watched } from './test-utils/watched.js';

describe('FolderWatcher costs and limits', () => {
  it('holds one watch per folder, not per file: 10,000 files in 100 folders take 101 watches', async () => {
    const root = tempRoot('ckpt-watch-');
    // 10 session folders with 9 seed folders each: 100 folders of 100 files.
    for (let d = 0; d < 100; d++) {
      const dir = d < 10 ? join(root, `session${d}`) : join(root, `session${d % 10}`, `seed${d}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 100; f++) closeSync(openSync(join(dir, `checkpoint_epoch${f}.pt`), 'w'));
    }
    const folders = countDirs(root) - 1;
    expect(folders).toBe(100);
    const { s, w } = await watched(root);
    expect(s.summary().files).toBe(10_000);
    expect(w.watchCount).toBe(folders + 1);

    put(root, 'session3/seed33/checkpoint_epoch100.pt', 64);
    await w.idle();
    expect(s.entry('session3/seed33')).toMatchObject({ files: 101, bytes: 64 });
  }, 120_000);

  it('re-reads the folders over the watch limit periodically and reports WATCH_LIMIT', async () => {
    const root = tempRoot('ckpt-watch-');
    for (const d of ['a', 'b', 'c']) for (const k of ['x', 'y']) put(root, `${d}/${k}/e1.pt`, 10);
    // Folders, parents first: '', a, b, c, then the six leaves; the limit leaves the leaves unwatched.
    const { s, w, notices } = await watched(root, { maxWatches: 4, pollMs: 100 });
    expect(w.watchCount).toBe(4);
    expect(notices).toEqual([expect.objectContaining({ level: 'warning', code: 'WATCH_LIMIT' })]);
    expect(notices[0].message).toContain('6 folders');

    // A watched folder sees its change at once; an unwatched one on the next re-read.
    put(root, 'b/new-top.pt', 5);
    put(root, 'c/y/e2.pt', 700);
    put(root, 'a/x/e1.pt', 11);
    await w.idle();
    expect(s.entry('b/new-top.pt')).toMatchObject({ bytes: 5 });
    await waitFor(() => s.entry('c/y/e2.pt') !== null && s.entry('a/x/e1.pt')?.bytes === 11, 'the periodic re-read');
    await w.idle();
    await expectSameAsFresh(s, root, 'after a periodic re-read');

    // New folders over the limit are re-read too.
    put(root, 'b/z/late.pt', 3);
    await w.idle();
    await waitFor(() => s.entry('b/z/late.pt') !== null, 'a new folder over the limit');
    await w.idle();
    await expectSameAsFresh(s, root, 'new folder over the limit');

    // Watches freed by a deletion go to folders that were re-read until then.
    rmSync(join(root, 'a'), { recursive: true });
    await w.idle();
    await waitFor(() => w.watchCount === 4 && s.entry('a') === null, 'freed watches to be reused');
    await w.idle();
    await expectSameAsFresh(s, root, 'after freeing watches');
    expect(notices.filter((n) => n.code === 'WATCH_LIMIT')).toHaveLength(1);
  });

  it('recovers the changes lost when inotify\'s event queue overflows', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'flood/first.pt', 1);
    put(root, 'quiet/a.pt', 1);
    const { s, w } = await watched(root);
    // The event loop is blocked while this runs: two events per file fill the kernel's queue, and the
    // file written after that sends none (libuv drops the overflow notice itself).
    const queued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    const n = Math.ceil(queued / 2) + 500;
    for (let i = 0; i < n; i++) writeFileSync(join(root, 'flood', `e${i}.pt`), 'x');
    put(root, 'quiet/lost.pt', 77);
    await w.idle();
    expect(s.entry('flood')).toMatchObject({ files: n + 1 });
    expect(s.entry('quiet/lost.pt')).toMatchObject({ bytes: 77 });
    await expectSameAsFresh(s, root, 'after an overflow');
  }, 120_000);

  it('reports ROOT_GONE when the root is deleted, without throwing', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'run/a/e1.pt', 10);
    put(root, 'run/b/e1.pt', 10);
    const { s, w, notices } = await watched(root);
    rmSync(root, { recursive: true });
    await waitFor(() => notices.some((n) => n.code === 'ROOT_GONE'), 'ROOT_GONE');
    await w.idle();
    expect(notices).toEqual([expect.objectContaining({ level: 'error', code: 'ROOT_GONE' })]);
    expect(w.watchCount).toBe(0);
    expect(s.entry('')).not.toBeNull();
    await w.close();
  });

  it('reports ROOT_GONE when the root is replaced by another folder', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'run/e1.pt', 10);
    const { w, notices } = await watched(root);
    renameSync(root, `${root}.old`);
    mkdirSync(root);
    put(root, 'other.pt', 1);
    await waitFor(() => notices.some((n) => n.code === 'ROOT_GONE'), 'ROOT_GONE');
    expect(notices.at(-1)!.message).toMatch(/deleted or moved|replaced/);
    expect(w.watchCount).toBe(0);
    rmSync(`${root}.old`, { recursive: true, force: true });
  });

  it('never watches nor applies an excluded folder (the state folder, were it inside)', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'run/e1.pt', 10);
    put(root, '.ckptdash/state.sqlite', 100);
    put(root, '.ckptdash/deeper/x', 1);
    const { s, w } = await watched(root, { exclude: [join(root, '.ckptdash')] });
    expect(w.watchCount).toBe(2);
    put(root, '.ckptdash/state.sqlite-wal', 4096);
    put(root, 'run/e2.pt', 20);
    await w.idle();
    expect(s.entry('run/e2.pt')).toMatchObject({ bytes: 20 });
    expect(s.entry('.ckptdash/state.sqlite-wal')).toBeNull();
  });
});
