import { copyFileSync, cpSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanned } from '../dups/test-utils/tree.js';
import { RootFs } from '../fs/root-fs.js';
import { JobManager } from '../jobs/manager.js';
import type { Integrity } from '../models/index.js';
import { FIXTURES } from '../models/test-utils/fixtures.js';
import { tempDir } from '../test-utils/temp.js';
import { verifyJob, type VerifyJobResult } from './verify-job.js';

const DAY = 86_400_000;

/** Every fixture copied into a fresh root, aged a day (fresh copies would be `writing`). */
function fixtureRoot(): string {
  const root = tempDir();
  for (const name of readdirSync(FIXTURES)) {
    if (name === 'README.md') continue;
    cpSync(join(FIXTURES, name), join(root, name), { recursive: true });
  }
  const old = new Date(Date.now() - DAY);
  for (const name of readdirSync(root, { recursive: true }) as string[]) utimesSync(join(root, name), old, old);
  return root;
}

async function setup(root: string) {
  const scan = await scanned(root);
  const results = new Map<string, { integrity: Integrity; etag: string }>();
  const jobs = new JobManager(() => {}, () => true);
  jobs.register(verifyJob({ index: () => scan.index, rootFs: new RootFs(root), onResult: (path, integrity, etag) => results.set(path, { integrity, etag }) }));
  return { jobs, results, scan };
}

describe('the verify job', () => {
  it('checks every fixture in full and gives each its expected verdict', async () => {
    const root = fixtureRoot();
    const { jobs, results } = await setup(root);
    const started = jobs.start('verify');
    expect(started).toMatchObject({ title: 'Verify every checkpoint', unit: 'bytes' });
    const done = await jobs.settle(started.id);
    expect(done!.state).toBe('done');
    expect(done!.done).toBe(done!.total);
    const r = done!.result as VerifyJobResult;
    const by = new Map(r.items.map((i) => [i.path, i]));
    expect([...by.keys()].sort()).toEqual(
      ['checkpoint-500', 'checkpoint_epoch007.pt', 'corrupt_crc.pt', 'epoch=3-step=1200.ckpt', 'final_model.pt', 'legacy.pt', 'model.safetensors', 'state_dict.pt', 'truncated.pt', 'whole_model.pt'].sort(),
    );
    expect(by.get('corrupt_crc.pt')).toEqual({ path: 'corrupt_crc.pt', status: 'corrupt', detail: 'CRC-32 mismatch in data/0', failures: ['data/0'] });
    expect(by.get('truncated.pt')).toMatchObject({ status: 'truncated', failures: [] });
    for (const ok of ['checkpoint_epoch007.pt', 'epoch=3-step=1200.ckpt', 'final_model.pt', 'legacy.pt', 'state_dict.pt', 'whole_model.pt', 'checkpoint-500']) {
      expect(by.get(ok), ok).toMatchObject({ status: 'ok', failures: [] });
    }
    expect(by.get('model.safetensors')).toMatchObject({ status: 'ok', detail: 'no checksums in this format' });
    expect(r.counts).toEqual({ ok: 8, corrupt: 1, truncated: 1 });
    // Every verdict reached the callback, with the etag it holds for.
    expect(results.get('corrupt_crc.pt')!.integrity).toEqual({ status: 'corrupt', detail: 'CRC-32 mismatch in data/0' });
    expect(results.size).toBe(10);
    expect(r.bytes).toBeGreaterThan(0);
  });

  it('a selection: a checkpoint, a folder part failing by name, a checkpoint being written; bad paths refused', async () => {
    const root = fixtureRoot();
    // A HF folder whose optimizer.pt is the corrupt one: the failure names the part.
    copyFileSync(join(FIXTURES, 'corrupt_crc.pt'), join(root, 'checkpoint-500/optimizer.pt'));
    const old = new Date(Date.now() - DAY);
    utimesSync(join(root, 'checkpoint-500/optimizer.pt'), old, old);
    // A save in progress: cut short and written just now.
    copyFileSync(join(FIXTURES, 'truncated.pt'), join(root, 'saving.pt'));
    const { jobs, results } = await setup(root);
    const done = await jobs.settle(jobs.start('verify', { paths: ['checkpoint-500', 'saving.pt', 'corrupt_crc.pt'] }).id);
    const items = (done!.result as VerifyJobResult).items;
    expect(items).toEqual([
      { path: 'checkpoint-500', status: 'corrupt', detail: 'optimizer.pt: CRC-32 mismatch in data/0', failures: ['optimizer.pt: data/0'] },
      { path: 'saving.pt', status: 'writing', detail: 'modified in the last 10 seconds', failures: [] },
      { path: 'corrupt_crc.pt', status: 'corrupt', detail: 'CRC-32 mismatch in data/0', failures: ['data/0'] },
    ]);
    expect([...results.keys()]).toEqual(['checkpoint-500', 'saving.pt', 'corrupt_crc.pt']);

    expect(() => jobs.start('verify', { paths: ['../x'] })).toThrow(expect.objectContaining({ code: 'INVALID_PATH' }));
    expect(() => jobs.start('verify', { paths: ['nope.pt'] })).toThrow(expect.objectContaining({ statusCode: 404 }));
    writeFileSync(join(root, 'notes.txt'), 'x');
    expect(() => jobs.start('verify', { paths: [] })).toThrow(expect.objectContaining({ code: 'INVALID_PARAMS' }));
    expect(() => jobs.start('verify', { path: 'x' })).toThrow(expect.objectContaining({ code: 'INVALID_PARAMS' }));
  });

  it('a file replaced after the job was asked for is verified as it is now, but its verdict is not handed on; cancel stops it', async () => {
    const root = fixtureRoot();
    const { jobs, results, scan } = await setup(root);
    const kind = verifyJob({ index: () => scan.index, rootFs: new RootFs(root), onResult: (path, integrity, etag) => results.set(path, { integrity, etag }) });
    const { params } = kind.prepare({ paths: ['state_dict.pt'] });
    // Between the request (the index's etag) and the run.
    copyFileSync(join(FIXTURES, 'final_model.pt'), join(root, 'state_dict.pt'));
    const old = new Date(Date.now() - DAY);
    utimesSync(join(root, 'state_dict.pt'), old, old);
    const r = (await kind.run(params, { signal: new AbortController().signal, progress: () => {} })) as VerifyJobResult;
    expect(r.items[0]).toMatchObject({ path: 'state_dict.pt', status: 'ok' });
    expect(results.size).toBe(0);

    const cancelled = jobs.start('verify');
    jobs.cancel(cancelled.id);
    expect((await jobs.settle(cancelled.id))!.state).toBe('cancelled');
  });
});
