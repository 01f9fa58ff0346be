import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../store/store.js';
import { tempDir } from '../test-utils/temp.js';
import { candidatesFromIndex } from './candidates.js';
import { findDuplicates, type DupStage } from './find.js';
import { MemoryHashCache, StoreHashCache } from './hash-cache.js';
import { CHUNK_BYTES, EDGE_BYTES } from './hash-file.js';
import { CountingRootFs, hardlink, put, putSparse, scanned, symlink } from './test-utils/tree.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const X_BYTES = 300 * KiB;
const EDGE_PAIR_BYTES = 320 * KiB;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The mixed tree every test starts from; returns the repeated content. */
function mixedTree(root: string): Buffer {
  const x = randomBytes(X_BYTES);
  put(root, 'a/one.pt', x);
  put(root, 'b/two.pth', x);
  put(root, 'c/three.ckpt', x);
  put(root, 'd/other.pt', randomBytes(X_BYTES));
  // Same size and the same 64 KiB at both ends: only the full hash tells them apart.
  const head = randomBytes(EDGE_BYTES);
  const tail = randomBytes(EDGE_BYTES);
  const middle = EDGE_PAIR_BYTES - 2 * EDGE_BYTES;
  put(root, 'e/edge1.safetensors', Buffer.concat([head, randomBytes(middle), tail]));
  put(root, 'e/edge2.safetensors', Buffer.concat([head, randomBytes(middle), tail]));
  hardlink(root, 'a/one.pt', 'z/linked.pt');
  symlink(root, 'a/one.pt', 'link.pt');
  put(root, 'empty1.pt', '');
  put(root, 'empty2.pt', '');
  const small = randomBytes(1000);
  put(root, 's/small1.bin', small);
  put(root, 's/small2.bin', small);
  put(root, 'notes.txt', x);
  return x;
}

function overwriteAt(path: string, position: number, data: string): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, data, position);
  } finally {
    closeSync(fd);
  }
}

describe('findDuplicates', () => {
  it('groups identical content only: size, then both ends, then the whole file', async () => {
    const root = tempDir();
    const x = mixedTree(root);
    const scan = await scanned(root);
    expect(scan.entry('z/linked.pt')!.tags).toContain('hardlink');

    const cands = candidatesFromIndex(scan.index!);
    expect(cands.map((c) => c.path).sort()).toEqual([
      'a/one.pt',
      'b/two.pth',
      'c/three.ckpt',
      'd/other.pt',
      'e/edge1.safetensors',
      'e/edge2.safetensors',
      's/small1.bin',
      's/small2.bin',
    ]);
    expect(candidatesFromIndex(scan.index!, { prefix: 's' }).map((c) => c.path).sort()).toEqual(['s/small1.bin', 's/small2.bin']);
    expect(candidatesFromIndex(scan.index!, { prefix: 'nope' })).toEqual([]);

    const fs = new CountingRootFs(root);
    const stages: Array<[DupStage, number]> = [];
    let lastProgress: [number, number] = [0, 0];
    const r = await findDuplicates(cands, {
      rootFs: fs,
      onStage: (s, n) => stages.push([s, n]),
      onProgress: (d, t) => (lastProgress = [d, t]),
    });

    expect(r.groups).toEqual([
      { hash: sha(x), bytes: X_BYTES, paths: ['a/one.pt', 'b/two.pth', 'c/three.ckpt'] },
      { hash: expect.any(String), bytes: 1000, paths: ['s/small1.bin', 's/small2.bin'] },
    ]);
    expect(r.twinsOf('b/two.pth')).toEqual(['a/one.pt', 'c/three.ckpt']);
    for (const p of ['d/other.pt', 'e/edge1.safetensors', 'z/linked.pt', 'link.pt', 'empty1.pt', 'notes.txt']) expect(r.twinsOf(p)).toEqual([]);
    expect(r.etagOf('a/one.pt')).toBe(scan.entry('a/one.pt')!.etag);
    expect(r.candidates).toBe(8);
    expect(r.dropped).toEqual([]);
    // Partial: 4 files of X's size, the edge pair, the small pair (read whole, so their full hash comes free).
    // Full: the three X copies and the edge pair, whose ends agree.
    expect(stages).toEqual([['partial', 8], ['full', 5], ['verify', 5]]);
    const partialBytes = 6 * 2 * EDGE_BYTES + 2 * 1000;
    const fullBytes = 3 * X_BYTES + 2 * EDGE_PAIR_BYTES;
    expect(r.hashedBytes).toBe(partialBytes + fullBytes);
    expect(lastProgress).toEqual([r.hashedBytes, r.hashedBytes]);
    expect(fs.opened.length).toBe(8 + 5);
    expect(r.cachedFiles).toBe(0);
  });

  it('reads nothing unchanged on a second run (even after a restart), and only what changed on a third', async () => {
    const root = tempDir();
    mixedTree(root);
    const stateFile = join(tempDir(), 'state.sqlite');
    const scan = await scanned(root);

    const s1 = Store.open(stateFile);
    const first = await findDuplicates(candidatesFromIndex(scan.index!), { rootFs: new CountingRootFs(root), cache: new StoreHashCache(s1) });
    s1.close();

    const s2 = Store.open(stateFile);
    expect(s2.problem).toBeUndefined();
    const fs2 = new CountingRootFs(root);
    const second = await findDuplicates(candidatesFromIndex(scan.index!), { rootFs: fs2, cache: new StoreHashCache(s2) });
    expect(second.groups).toEqual(first.groups);
    expect(second.hashedBytes).toBe(0);
    expect(fs2.opened).toEqual([]);
    expect(second.cachedFiles).toBe(8);

    // Same size, same ends, new middle: the cache misses for this file only, and the full hash decides.
    overwriteAt(join(root, 'b/two.pth'), X_BYTES / 2, 'changed');
    await scan.applyPath('b/two.pth');
    const fs3 = new CountingRootFs(root);
    const third = await findDuplicates(candidatesFromIndex(scan.index!), { rootFs: fs3, cache: new StoreHashCache(s2) });
    expect(fs3.opened).toEqual(['b/two.pth', 'b/two.pth']);
    expect(third.hashedBytes).toBe(2 * EDGE_BYTES + X_BYTES);
    expect(third.groups[0].paths).toEqual(['a/one.pt', 'c/three.ckpt']);
    expect(third.twinsOf('b/two.pth')).toEqual([]);
    expect(third.cachedFiles).toBe(7);
    s2.close();
  });

  it('drops files that vanish or change before or during the run, and still answers', async () => {
    const root = tempDir();
    mixedTree(root);
    const scan = await scanned(root);
    const cands = candidatesFromIndex(scan.index!);
    // The index has not seen these yet.
    unlinkSync(join(root, 'c/three.ckpt'));
    overwriteAt(join(root, 'd/other.pt'), 0, 'rewritten');
    rmSync(join(root, 'e/edge1.safetensors'));
    symlink(root, '../a/one.pt', 'e/edge1.safetensors');
    const cache = new MemoryHashCache();
    const r = await findDuplicates(cands, {
      rootFs: new CountingRootFs(root),
      cache,
      onStage: (s) => {
        if (s === 'verify') utimesSync(join(root, 's/small2.bin'), new Date(), new Date(2001, 1, 1));
      },
    });
    expect(r.groups.map((g) => g.paths)).toEqual([['a/one.pt', 'b/two.pth']]);
    expect(r.dropped).toEqual([
      { path: 'c/three.ckpt', reason: 'vanished' },
      { path: 'd/other.pt', reason: 'changed' },
      { path: 'e/edge1.safetensors', reason: 'changed' },
      { path: 's/small2.bin', reason: 'changed' },
    ]);
    // Nothing read from a changed file is cached under the etag the index gave it.
    expect(cache.rows.has('d/other.pt')).toBe(false);
  });

  it('groups big sparse files by content, and stops early when cancelled', async () => {
    const root = tempDir();
    const size = 64 * MiB;
    putSparse(root, 'zeros/a.pt', size);
    putSparse(root, 'zeros/b.pt', size);
    // Zeros at both ends too, one byte apart in the middle.
    putSparse(root, 'zeros/c.pt', size);
    overwriteAt(join(root, 'zeros/c.pt'), size / 2, 'x');
    const scan = await scanned(root);
    const cands = candidatesFromIndex(scan.index!);

    const ac = new AbortController();
    const cache = new MemoryHashCache();
    let seen = 0;
    const cancelled = findDuplicates(cands, {
      rootFs: new CountingRootFs(root),
      cache,
      signal: ac.signal,
      onProgress: (d) => {
        seen = d;
        if (d >= 3 * 2 * EDGE_BYTES + 4 * CHUNK_BYTES) ac.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBeLessThan(3 * 2 * EDGE_BYTES + 6 * CHUNK_BYTES);
    expect([...cache.rows.values()].every((r) => r.hashes.full === undefined)).toBe(true);

    const r = await findDuplicates(cands, { rootFs: new CountingRootFs(root), cache });
    expect(r.groups).toEqual([{ hash: sha(Buffer.alloc(size)), bytes: size, paths: ['zeros/a.pt', 'zeros/b.pt'] }]);
    // The partial hashes survived the cancelled run.
    expect(r.hashedBytes).toBe(3 * size);
    expect(r.cachedFiles).toBe(0);
  });
});
