import { closeSync, mkdirSync, openSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../shared/natural-sort.js';
import { put, scanned, tempRoot } from './test-utils/trees.js';

const names = (page: { entries: Array<{ name: string }> } | null) => page!.entries.map((e) => e.name);

describe('list', () => {
  async function sample() {
    const root = tempRoot();
    const sizes: Record<string, number> = {
      'epoch 9.pt': 300,
      'epoch 10.pt': 100,
      'epoch 1.pt': 300,
      'Epoch 2.pt': 50,
      'best.pt': 1000,
      'final_model.pt': 0,
    };
    let day = 1;
    for (const [name, size] of Object.entries(sizes)) {
      put(root, `run/${name}`, size);
      const t = new Date(Date.UTC(2024, 0, day++));
      utimesSync(join(root, 'run', name), t, t);
    }
    put(root, 'run/sub/deep.pt', 5000);
    const t = new Date(Date.UTC(2023, 0, 1));
    utimesSync(join(root, 'run/sub/deep.pt'), t, t);
    utimesSync(join(root, 'run/sub'), t, t);
    return scanned(root);
  }

  it('sorts by name in natural order, both ways', async () => {
    const s = await sample();
    expect(names(s.list('run', { sort: 'name', order: 'asc' }))).toEqual([
      'best.pt',
      'epoch 1.pt',
      'Epoch 2.pt',
      'epoch 9.pt',
      'epoch 10.pt',
      'final_model.pt',
      'sub',
    ]);
    expect(names(s.list('run', { sort: 'name', order: 'desc' }))).toEqual([
      'sub',
      'final_model.pt',
      'epoch 10.pt',
      'epoch 9.pt',
      'Epoch 2.pt',
      'epoch 1.pt',
      'best.pt',
    ]);
    // Name sort defaults to ascending, the others to descending.
    expect(names(s.list('run', { sort: 'name' }))[0]).toBe('best.pt');
  });

  it('sorts by size, on-disk size and mtime, ties broken by natural name order', async () => {
    const s = await sample();
    expect(names(s.list('run', { sort: 'size' }))).toEqual([
      'sub',
      'best.pt',
      'epoch 1.pt',
      'epoch 9.pt',
      'epoch 10.pt',
      'Epoch 2.pt',
      'final_model.pt',
    ]);
    expect(names(s.list('run', { sort: 'size', order: 'asc' }))).toEqual([
      'final_model.pt',
      'Epoch 2.pt',
      'epoch 10.pt',
      'epoch 1.pt',
      'epoch 9.pt',
      'best.pt',
      'sub',
    ]);
    const disk = s.list('run', { sort: 'disk' })!.entries;
    for (let i = 1; i < disk.length; i++) expect(disk[i - 1].diskBytes).toBeGreaterThanOrEqual(disk[i].diskBytes);
    expect(names(s.list('run', { sort: 'mtime' }))).toEqual([
      'final_model.pt',
      'best.pt',
      'Epoch 2.pt',
      'epoch 1.pt',
      'epoch 10.pt',
      'epoch 9.pt',
      'sub',
    ]);
    expect(names(s.list('run', { sort: 'mtime', order: 'asc' }))[0]).toBe('sub');
  });

  it('pages with offset and limit, with the total of the whole folder', async () => {
    const s = await sample();
    const all = names(s.list('run', { sort: 'name' }));
    const p1 = s.list('run', { sort: 'name', offset: 0, limit: 3 })!;
    const p2 = s.list('run', { sort: 'name', offset: 3, limit: 3 })!;
    const p3 = s.list('run', { sort: 'name', offset: 6, limit: 3 })!;
    expect([p1.total, p2.total, p3.total]).toEqual([7, 7, 7]);
    expect([...names(p1), ...names(p2), ...names(p3)]).toEqual(all);
    expect(s.list('run', { offset: 50, limit: 3 })).toEqual({ path: 'run', total: 7, entries: [] });
    expect(p1.entries[0].path).toBe('run/best.pt');
  });

  it('filters by a case-insensitive name substring and by tag', async () => {
    const s = await sample();
    const q = s.list('run', { sort: 'name', q: 'EPOCH', limit: 2 })!;
    expect(q.total).toBe(4);
    expect(names(q)).toEqual(['epoch 1.pt', 'Epoch 2.pt']);
    expect(s.list('run', { q: 'nothing-like-this' })!.total).toBe(0);
    expect(s.list('run', { tag: 'hardlink' })!.total).toBe(0);
    expect(s.list('run', { tag: 'error' })!.total).toBe(0);
  });

  it('searches the whole subtree, returning whole paths in the asked order', async () => {
    const s = await sample();
    const deep = s.list('', { q: 'DEEP' })!;
    expect(deep.total).toBe(1);
    expect(deep.entries[0].path).toBe('run/sub/deep.pt');
    expect(deep.entries[0].name).toBe('deep.pt');
    const pts = s.list('', { q: '.pt', sort: 'size', order: 'desc' })!;
    expect(pts.entries.map((e) => e.path).slice(0, 2)).toEqual(['run/sub/deep.pt', 'run/best.pt']);
    expect(pts.total).toBe(7);
    // Folders match too, and a search below a folder stays below it.
    expect(s.list('', { q: 'sub' })!.entries.map((e) => e.path)).toEqual(['run/sub']);
    expect(s.list('run/sub', { q: 'best' })!.total).toBe(0);
  });

  it('merges tags from a provider and filters by them', async () => {
    const root = tempRoot();
    put(root, 'run/best.pt', 1);
    put(root, 'run/checkpoint_epoch3.pt', 1);
    const s = await scanned(root, { tagsOf: (path) => (path.endsWith('best.pt') ? ['best', 'critical'] : []) });
    expect(s.entry('run/best.pt')!.tags).toEqual(['best', 'critical']);
    expect(names(s.list('run', { tag: 'critical' }))).toEqual(['best.pt']);
  });

  it('answers null for an unknown path or a file', async () => {
    const s = await sample();
    expect(s.list('nope')).toBeNull();
    expect(s.list('run/best.pt')).toBeNull();
    expect(s.list('run/')).toBeNull();
    expect(s.list('/run')).toBeNull();
    expect(s.entry('run//best.pt')).toBeNull();
    expect(s.list('')!.entries.map((e) => e.path)).toEqual(['run']);
  });

  it('lists the first pages of a folder with 100,000 children', async () => {
    const root = tempRoot();
    const dir = join(root, 'huge');
    mkdirSync(dir);
    const n = 100_000;
    for (let i = 0; i < n; i++) closeSync(openSync(join(dir, `checkpoint_epoch${i}.pt`), 'w'));
    put(root, 'huge/zz_big.pt', 10);
    const s = await scanned(root);
    const first = s.list('huge', { sort: 'name', limit: 100 })!;
    expect(first.total).toBe(n + 1);
    expect(names(first).slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => `checkpoint_epoch${i}.pt`));
    const second = s.list('huge', { sort: 'name', offset: 100, limit: 100 })!;
    expect(names(second)[0]).toBe('checkpoint_epoch100.pt');
    const last = s.list('huge', { sort: 'name', order: 'desc', limit: 2 })!;
    expect(names(last)).toEqual(['zz_big.pt', `checkpoint_epoch${n - 1}.pt`]);
    expect(names(s.list('huge', { sort: 'size', limit: 1 }))).toEqual(['zz_big.pt']);
    const all = names(s.list('huge', { sort: 'name', limit: n + 1 }));
    for (let i = 1; i < all.length; i += 997) expect(naturalCompare(all[i - 1], all[i])).toBeLessThan(0);
    expect(s.list('huge', { q: 'epoch9999', limit: 20 })!.total).toBe(11);
    // A change in the folder drops its cached order.
    put(root, 'huge/checkpoint_epoch-new.pt', 1e6);
    await s.applyPath('huge/checkpoint_epoch-new.pt');
    expect(names(s.list('huge', { sort: 'size', limit: 2 }))).toEqual(['checkpoint_epoch-new.pt', 'zz_big.pt']);
  }, 120_000);
});
