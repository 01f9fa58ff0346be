import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/schemas/jobs.js';
import { JobManager } from '../jobs/manager.js';
import { Store } from '../store/store.js';
import { tempDir } from '../test-utils/temp.js';
import type { TreeIndex } from '../scan/tree-index.js';
import type { DuplicateResult } from './find.js';
import { MemoryHashCache, StoreHashCache, type HashCache } from './hash-cache.js';
import { duplicatesJob } from './job.js';
import { CountingRootFs, put, putSparse, scanned } from './test-utils/tree.js';

function setup(index: () => TreeIndex | null, root: string, cache: HashCache = new MemoryHashCache()) {
  const results: DuplicateResult[] = [];
  const seen: Job[] = [];
  const jobs = new JobManager((j) => seen.push(j), () => true);
  jobs.register(duplicatesJob({ index, rootFs: new CountingRootFs(root), cache, onResult: (r) => results.push(r) }));
  return { jobs, results, seen };
}

const SIZE = 64 * 1024 * 1024;

describe('the duplicates job', () => {
  it('runs in the background with byte progress, sums up, and hands over the full result', async () => {
    const root = tempDir();
    const a = randomBytes(200_000);
    const b = randomBytes(5000);
    put(root, 'run1/final_model.pt', a);
    put(root, 'run1/copy_of_final.pt', a);
    put(root, 'backup/final_model.pt', a);
    put(root, 'run2/best.bin', b);
    put(root, 'run2/sub/best.bin', b);
    const scan = await scanned(root);
    // Read-only mode does not stop it: it changes no file.
    const { jobs, results } = setup(() => scan.index, root);

    const started = jobs.start('duplicates');
    expect(started).toMatchObject({ kind: 'duplicates', unit: 'bytes', title: 'Find duplicate checkpoints' });
    const done = await jobs.settle(started.id);
    expect(done).toMatchObject({
      state: 'done',
      result: { path: '', groups: 2, files: 5, wastedBytes: 2 * 200_000 + 5000, candidates: 5, cachedFiles: 0, dropped: 0 },
    });
    expect(done!.done).toBe(done!.total);
    expect(done!.done).toBeGreaterThan(3 * 200_000);
    expect(done!.message).toBe('2 groups of duplicates, 5 files');
    expect(results).toHaveLength(1);
    expect(results[0].twinsOf('run1/final_model.pt')).toEqual(['backup/final_model.pt', 'run1/copy_of_final.pt']);

    const sub = await jobs.settle(jobs.start('duplicates', { path: 'run2' }).id);
    expect(sub).toMatchObject({ title: 'Find duplicate checkpoints in run2', result: { path: 'run2', groups: 1, files: 2, cachedFiles: 2 } });
    expect(results[1].groups.map((g) => g.paths)).toEqual([['run2/best.bin', 'run2/sub/best.bin']]);
  });

  it('checks its params and the index before starting', () => {
    const root = tempDir();
    let ix: TreeIndex | null = null;
    const { jobs } = setup(() => ix, root);
    expect(() => jobs.start('duplicates')).toThrow(expect.objectContaining({ statusCode: 409, code: 'NOT_READY' }));
    ix = {} as TreeIndex;
    expect(() => jobs.start('duplicates', { path: '../etc' })).toThrow(expect.objectContaining({ statusCode: 400, code: 'INVALID_PATH' }));
    expect(() => jobs.start('duplicates', { path: 7 })).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => jobs.start('duplicates', { prefix: 'a' })).toThrow(expect.objectContaining({ statusCode: 400, code: 'INVALID_PARAMS' }));
  });

  it('answers 404 for an unknown subtree, is cancelled without a result, and prunes the cache of gone files', async () => {
    const root = tempDir();
    putSparse(root, 'big/a.pt', SIZE);
    putSparse(root, 'big/b.pt', SIZE);
    const scan = await scanned(root);
    const store = Store.memory();
    const cache = new StoreHashCache(store);
    cache.put('gone/old.pt', 'etag', 'p', 'f');
    cache.put('big/gone.pt', 'etag', 'p', 'f');
    const { jobs, results } = setup(() => scan.index, root, cache);
    expect(() => jobs.start('duplicates', { path: 'nope' })).toThrow(expect.objectContaining({ statusCode: 404 }));

    // Cancelled before its first read completes: the job stops at the next check.
    const job = jobs.start('duplicates');
    jobs.cancel(job.id);
    const end = await jobs.settle(job.id);
    expect(end!.state).toBe('cancelled');
    expect(end!.done).toBeLessThan(end!.total);
    expect(results).toEqual([]);

    const sub = await jobs.settle(jobs.start('duplicates', { path: 'big' }).id);
    expect(sub!.result).toMatchObject({ groups: 1, wastedBytes: SIZE });
    const paths = (store.db.prepare('SELECT path FROM hash_cache ORDER BY path').pluck().all() as string[]);
    // A subtree run forgets only what is gone inside that subtree.
    expect(paths).toEqual(['big/a.pt', 'big/b.pt', 'gone/old.pt']);
    store.close();
  });
});
