import { appendFileSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TreeEvent } from '../scan/scan-service.js';
import { expectConsistent, onCleanup, put, scanned, tempRoot } from '../scan/test-utils/trees.js';
import { FolderWatcher } from './folder-watcher.js';
import { countDirs, expectSameAsFresh, watched } from './test-utils/watched.js';

describe('FolderWatcher keeps the index equal to a fresh scan', () => {
  it('follows creating, growing, renaming and deleting files and folders', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'run1/checkpoint_epoch1.pt', 1000);
    put(root, 'run2/sub/deep/x.pt', 10);
    put(root, 'run2/keep.pt', 20);
    const { s, w } = await watched(root);
    expect(w.watchCount).toBe(countDirs(root));

    put(root, 'run1/new.pt', 500);
    await w.idle();
    expect(s.entry('run1/new.pt')).toMatchObject({ bytes: 500 });
    await expectSameAsFresh(s, root, 'create');

    for (let i = 1; i <= 5; i++) {
      appendFileSync(join(root, 'run1/new.pt'), Buffer.alloc(4096, i));
      await w.idle();
      expect(s.entry('run1/new.pt')!.bytes).toBe(500 + 4096 * i);
      await expectSameAsFresh(s, root, `grow ${i}`);
    }

    renameSync(join(root, 'run1/new.pt'), join(root, 'run2/renamed.pt'));
    await w.idle();
    expect(s.entry('run1/new.pt')).toBeNull();
    expect(s.entry('run2/renamed.pt')).toMatchObject({ bytes: 500 + 4096 * 5 });
    await expectSameAsFresh(s, root, 'rename across folders');

    renameSync(join(root, 'run2/sub'), join(root, 'run1/moved-sub'));
    await w.idle();
    expect(w.watchCount).toBe(countDirs(root));
    put(root, 'run1/moved-sub/deep/after-move.pt', 7);
    await w.idle();
    expect(s.entry('run1/moved-sub/deep/after-move.pt')).toMatchObject({ bytes: 7 });
    await expectSameAsFresh(s, root, 'folder renamed inside the root');

    unlinkSync(join(root, 'run2/keep.pt'));
    rmSync(join(root, 'run1/moved-sub'), { recursive: true });
    await w.idle();
    expect(w.watchCount).toBe(countDirs(root));
    await expectSameAsFresh(s, root, 'delete files and folders');
    expectConsistent(s);
  });

  it('watches a folder moved in from outside the root, and forgets it when moved out', async () => {
    const root = tempRoot('ckpt-watch-');
    const outside = tempRoot('ckpt-outside-');
    put(root, 'keep.pt', 1);
    for (let d = 0; d < 3; d++) for (let f = 0; f < 4; f++) put(outside, `incoming/run${d}/seed${f % 2}/e${f}.pt`, 100 + f);
    const { s, w } = await watched(root);

    renameSync(join(outside, 'incoming'), join(root, 'incoming'));
    await w.idle();
    expect(s.entry('incoming')).toMatchObject({ files: 12 });
    expect(w.watchCount).toBe(countDirs(root));
    await expectSameAsFresh(s, root, 'moved in');

    // The new folders' own watches see what is written into them.
    put(root, 'incoming/run1/seed0/written-later.pt', 333);
    await w.idle();
    expect(s.entry('incoming/run1/seed0/written-later.pt')).toMatchObject({ bytes: 333 });
    await expectSameAsFresh(s, root, 'written into a moved-in folder');

    renameSync(join(root, 'incoming'), join(outside, 'gone'));
    await w.idle();
    expect(s.entry('incoming')).toBeNull();
    expect(w.watchCount).toBe(1);
    // Its old watches would still see it outside: they must be gone.
    put(outside, 'gone/run0/seed0/outside.pt', 5);
    await w.idle();
    await expectSameAsFresh(s, root, 'moved out');
  });

  it('applies a burst of 2,000 files with a few folder re-reads, not 2,000 changes', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'run/existing.pt', 1);
    const { s, w } = await watched(root);
    const events: TreeEvent[] = [];
    s.on('tree', (e) => events.push(e));

    mkdirSync(join(root, 'burst'));
    for (let i = 0; i < 2000; i++) writeFileSync(join(root, 'burst', `checkpoint_epoch${i}.pt`), Buffer.alloc(i % 7));
    for (let i = 0; i < 2000; i++) writeFileSync(join(root, 'run', `step${i}.pt`), Buffer.alloc(3));
    await w.idle();
    expect(s.entry('burst')).toMatchObject({ files: 2000 });
    expect(s.entry('run')).toMatchObject({ files: 2001 });
    expect(events.length).toBeLessThan(50);
    await expectSameAsFresh(s, root, 'burst');

    for (let i = 0; i < 2000; i += 2) unlinkSync(join(root, 'burst', `checkpoint_epoch${i}.pt`));
    await w.idle();
    expect(s.entry('burst')).toMatchObject({ files: 1000 });
    await expectSameAsFresh(s, root, 'burst of deletions');
  });

  it('lists a symlink loop added while watching and never follows it', async () => {
    const root = tempRoot('ckpt-watch-');
    const outside = tempRoot('ckpt-outside-');
    put(root, 'run/a.pt', 10);
    put(outside, 'elsewhere/b.pt', 10);
    const { s, w } = await watched(root);
    const before = w.watchCount;

    symlinkSync('.', join(root, 'run/loop'));
    symlinkSync('../run', join(root, 'run/up'));
    symlinkSync(join(outside, 'elsewhere'), join(root, 'run/out'));
    await w.idle();
    expect(s.entry('run/loop')).toMatchObject({ kind: 'symlink', files: 0 });
    expect(w.watchCount).toBe(before);
    // Writing behind the outside link must not show up under the root.
    put(outside, 'elsewhere/c.pt', 99);
    await w.idle();
    expect(s.entry('run/out/c.pt')).toBeNull();
    await expectSameAsFresh(s, root, 'symlink loop');

    // A watched folder swapped for a symlink loses its watch.
    rmSync(join(root, 'run'), { recursive: true });
    symlinkSync(join(outside, 'elsewhere'), join(root, 'run'));
    await w.idle();
    expect(s.entry('run')).toMatchObject({ kind: 'symlink' });
    expect(w.watchCount).toBe(1);
    await expectSameAsFresh(s, root, 'folder swapped for a symlink');
  });

  it('re-watches a folder replaced by another one under the same name', async () => {
    const root = tempRoot('ckpt-watch-');
    const outside = tempRoot('ckpt-outside-');
    mkdirSync(join(root, 'slot'));
    put(outside, 'replacement/model.pt', 50);
    const { s, w } = await watched(root);

    // rename(2) over an empty folder: same path, another inode.
    renameSync(join(outside, 'replacement'), join(root, 'slot'));
    await w.idle();
    put(root, 'slot/after.pt', 8);
    await w.idle();
    expect(s.entry('slot')).toMatchObject({ files: 2, bytes: 58 });
    await expectSameAsFresh(s, root, 'replaced folder');
  });

  it('catches what is written into a new folder between its walk and its watch', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'keep.pt', 1);
    const s = await scanned(root);
    // Registered before the watcher's own listener: runs after the scanner walked the folder, before it is watched.
    let raced = false;
    s.on('tree', (e) => {
      if (raced || !e.upserts.some((u) => u.path === 'run-new')) return;
      raced = true;
      put(root, 'run-new/raced.pt', 99);
    });
    const w = new FolderWatcher(s, { root, debounceMs: 20 });
    onCleanup(() => w.close());
    await w.start();
    mkdirSync(join(root, 'run-new'));
    await w.idle();
    expect(raced).toBe(true);
    expect(s.entry('run-new/raced.pt')).toMatchObject({ bytes: 99 });
    await expectSameAsFresh(s, root, 'raced write');
  });

  it('re-syncs its watches after a change too big for a delta (reset)', async () => {
    const root = tempRoot('ckpt-watch-');
    const outside = tempRoot('ckpt-outside-');
    put(root, 'keep.pt', 1);
    for (let d = 0; d < 5; d++) for (let f = 0; f < 10; f++) put(outside, `big/run${d}/e${f}.pt`, f);
    const { s, w } = await watched(root, {}, { maxDelta: 10 });
    const resets: unknown[] = [];
    s.on('reset', (e) => resets.push(e));
    renameSync(join(outside, 'big'), join(root, 'big'));
    await w.idle();
    expect(resets.length).toBeGreaterThan(0);
    expect(w.watchCount).toBe(countDirs(root));
    put(root, 'big/run3/late.pt', 4);
    await w.idle();
    expect(s.entry('big/run3')).toMatchObject({ files: 11 });
    await expectSameAsFresh(s, root, 'after a reset');
  });

  it('lists a folder when a name is not UTF-8', async () => {
    const root = tempRoot('ckpt-watch-');
    put(root, 'run/a.pt', 1);
    const { s, w } = await watched(root);
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'run/')), Buffer.from([0x62, 0xff, 0x2e, 0x70, 0x74])]), Buffer.alloc(40));
    await w.idle();
    expect(s.entry('run')).toMatchObject({ files: 2, bytes: 41 });
    await expectSameAsFresh(s, root, 'non-UTF-8 name');
  });
});
