import { linkSync, lstatSync, mkdirSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { Entry, EntryDetails } from '../../shared/schemas/entry.js';
import { statEtag } from './etag.js';
import { diskTotals, expectConsistent, put, scanned, snapshot, tempRoot } from './test-utils/trees.js';

describe('full scan', () => {
  it('sizes files and folders, counts files, and keeps folder mtimes at the newest inside', async () => {
    const root = tempRoot();
    put(root, 'session1/run1/checkpoint_epoch1.pt', 1000);
    put(root, 'session1/run1/checkpoint_epoch2.pt', 3000);
    put(root, 'session1/final_model.pt', 500);
    put(root, 'session2/empty.txt', 0);
    mkdirSync(join(root, 'session2/nothing'));
    const t = new Date('2024-03-01T12:00:00Z');
    utimesSync(join(root, 'session1/run1/checkpoint_epoch2.pt'), t, t);
    const old = new Date('2020-01-01T00:00:00Z');
    for (const p of ['session1/run1/checkpoint_epoch1.pt', 'session1/final_model.pt', 'session1/run1', 'session1']) {
      utimesSync(join(root, p), old, old);
    }
    const s = await scanned(root);

    const sum = s.summary();
    expect(sum).toMatchObject({ state: 'ready', entries: 8, files: 4, dirs: 4, bytes: 4500, errors: 0 });
    expect(sum.finishedAt).toBeGreaterThanOrEqual(sum.startedAt!);
    expect(sum.diskBytes).toBe(diskTotals(root).diskBytes);

    const run = s.entry('session1/run1')!;
    expect(run).toMatchObject({ kind: 'dir', name: 'run1', bytes: 4000, files: 2, children: 2, dirs: 0 });
    expect(run.mtimeMs).toBe(t.getTime());
    expect(s.entry('session1')!.mtimeMs).toBe(t.getTime());
    expect(s.entry('session1/final_model.pt')).toMatchObject({ kind: 'file', bytes: 500, files: 1, mtimeMs: old.getTime() });
    // An empty folder shows its own mtime.
    expect(s.entry('session2/nothing')).toMatchObject({ kind: 'dir', bytes: 0, files: 0, children: 0 });
    expect(s.entry('')).toMatchObject({ path: '', name: '', kind: 'dir', bytes: 4500, files: 4, dirs: 4 });
    expectConsistent(s);
  });

  it('returns entries that match the API schema exactly', async () => {
    const root = tempRoot();
    put(root, 'a/b.pt', 10);
    symlinkSync('a/b.pt', join(root, 'link'));
    const s = await scanned(root);
    for (const [path] of snapshot(s)) {
      if (path === '') continue;
      const page = s.list(path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '')!;
      for (const e of page.entries) expect(Value.Check(Entry, e), JSON.stringify(e)).toBe(true);
    }
    expect(s.entry('link')).toMatchObject({ kind: 'symlink', target: 'a/b.pt', files: 0 });
    for (const p of ['', 'a', 'a/b.pt', 'link']) expect(Value.Check(EntryDetails, s.entry(p)), p).toBe(true);
    // A file's etag can be recomputed from a fresh lstat, without the index.
    expect(s.entry('a/b.pt')!.etag).toBe(statEtag(lstatSync(join(root, 'a/b.pt'), { bigint: true })));
    expect(s.entry('link')!.etag).toBe(statEtag(lstatSync(join(root, 'link'), { bigint: true })));
  });

  it('counts a hard-linked inode once, charged to its bytewise-first path, whatever the walk order', async () => {
    const root = tempRoot();
    const orig = put(root, 'zeta/original.pt', 4096);
    mkdirSync(join(root, 'alpha'));
    mkdirSync(join(root, 'Mid'));
    linkSync(orig, join(root, 'alpha/link.pt'));
    linkSync(orig, join(root, 'Mid/other.pt'));
    linkSync(orig, join(root, 'zeta/again.pt'));
    put(root, 'zeta/plain.pt', 100);

    const results = [];
    for (const workers of [1, 2, 2]) {
      const s = await scanned(root, { workers });
      results.push(snapshot(s));
      // "Mid" < "alpha" < "zeta" bytewise (uppercase sorts first).
      expect(s.entry('Mid/other.pt')!.tags).toEqual([]);
      for (const p of ['alpha/link.pt', 'zeta/original.pt', 'zeta/again.pt']) expect(s.entry(p)!.tags).toEqual(['hardlink']);
      expect(s.entry('Mid')).toMatchObject({ bytes: 4096, files: 1 });
      expect(s.entry('alpha')).toMatchObject({ bytes: 0, files: 0 });
      expect(s.entry('zeta')).toMatchObject({ bytes: 100, files: 1 });
      // A linked file still shows its own size and link count.
      expect(s.entry('zeta/original.pt')).toMatchObject({ bytes: 4096, files: 1, nlink: 4 });
      expect(s.summary()).toMatchObject({ bytes: 4196, files: 2 });
      expect(s.summary().bytes).toBe(diskTotals(root).bytes);
      expectConsistent(s);
      expect(s.list('zeta', { tag: 'hardlink' })!.entries.map((e) => e.name).sort()).toEqual(['again.pt', 'original.pt']);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('lists symlinks as links and never follows them, loops included', async () => {
    const root = tempRoot();
    put(root, 'data/model.pt', 2000);
    symlinkSync('b', join(root, 'a'));
    symlinkSync('a', join(root, 'b'));
    symlinkSync('..', join(root, 'data/up'));
    symlinkSync(root, join(root, 'data/abs-root'));
    symlinkSync('model.pt', join(root, 'data/alias.pt'));
    symlinkSync('nowhere', join(root, 'dangling'));
    const s = await scanned(root);
    expect(s.summary()).toMatchObject({ files: 1, dirs: 1, errors: 0, entries: 8 });
    expect(s.entry('a')).toMatchObject({ kind: 'symlink', target: 'b', files: 0 });
    expect(s.entry('data/up')).toMatchObject({ kind: 'symlink', target: '..' });
    expect(s.list('data/up')).toBeNull();
    expect(s.entry('data/up/model.pt')).toBeNull();
    expect(s.entry('data/abs-root/data')).toBeNull();
    // A link's own size (its target's length) counts, the target's bytes do not.
    expect(s.entry('data')).toMatchObject({ files: 1, children: 4 });
    expect(s.entry('data')!.bytes).toBe(2000 + 2 + root.length + 'model.pt'.length);
    expectConsistent(s);
  });

  it('keeps apparent and on-disk sizes apart for sparse files', async () => {
    const root = tempRoot();
    put(root, 'big/sparse.pt', 40e9, true);
    put(root, 'big/dense.pt', 8192);
    const s = await scanned(root);
    const sparse = s.entry('big/sparse.pt')!;
    expect(sparse.bytes).toBe(40e9);
    expect(sparse.diskBytes).toBeLessThan(1e6);
    const big = s.entry('big')!;
    expect(big.bytes).toBe(40e9 + 8192);
    expect(big.diskBytes).toBe(sparse.diskBytes + s.entry('big/dense.pt')!.diskBytes);
    expect(big.diskBytes).toBeGreaterThanOrEqual(8192);
    expect(s.list('big', { sort: 'disk' })!.entries.map((e) => e.name)).toEqual(['dense.pt', 'sparse.pt']);
    expect(s.list('big', { sort: 'size' })!.entries.map((e) => e.name)).toEqual(['sparse.pt', 'dense.pt']);
  });

  it('walks 1,000 levels of nesting', async () => {
    const root = tempRoot();
    const deep = Array.from({ length: 1000 }, () => 'd').join('/');
    put(root, `${deep}/bottom.pt`, 77);
    const s = await scanned(root);
    expect(s.summary()).toMatchObject({ dirs: 1000, files: 1, bytes: 77, entries: 1001 });
    expect(s.entry(`${deep}/bottom.pt`)).toMatchObject({ bytes: 77 });
    expect(s.entry('d')).toMatchObject({ bytes: 77, files: 1, dirs: 999 });
  });

  it('skips ignore patterns by name and by relative path', async () => {
    const root = tempRoot();
    put(root, '.git/objects/ab/cdef', 100);
    put(root, 'session1/debug/x.pt', 100);
    put(root, 'session2/debug/kept.pt', 10);
    put(root, 'session2/model.tmp', 100);
    put(root, 'session2/wandb/run-1/log', 100);
    put(root, 'session2/model.pt', 1);
    const s = await scanned(root, { ignore: ['.git', '*.tmp', '/session1/debug', '**/wandb/'] });
    expect(s.entry('.git')).toBeNull();
    expect(s.entry('session1/debug')).toBeNull();
    expect(s.entry('session2/model.tmp')).toBeNull();
    expect(s.entry('session2/wandb')).toBeNull();
    expect(s.entry('session2/debug/kept.pt')).not.toBeNull();
    expect(s.summary()).toMatchObject({ files: 2, bytes: 11 });
  });
});
