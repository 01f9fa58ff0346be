import { linkSync, mkdirSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auth, testApp, testConfig } from '../test-utils/app.js';

const GiB = 2 ** 30;

async function appOnTree() {
  const config = testConfig();
  const r = config.root;
  mkdirSync(join(r, 'run1'), { recursive: true });
  for (const n of [1, 2, 9, 10, 11]) {
    writeFileSync(join(r, 'run1', `checkpoint_epoch${n}.pt`), '');
    truncateSync(join(r, 'run1', `checkpoint_epoch${n}.pt`), n * GiB);
  }
  writeFileSync(join(r, 'run1', 'final_model.pt'), Buffer.alloc(8192, 1));
  mkdirSync(join(r, 'run2', 'nested'), { recursive: true });
  writeFileSync(join(r, 'run2', 'nested', 'best.pt'), 'abc');
  linkSync(join(r, 'run2', 'nested', 'best.pt'), join(r, 'run2', 'z-link.pt'));
  symlinkSync('../run1/final_model.pt', join(r, 'run2', 'alias.pt'));
  const t = new Date(Date.UTC(2025, 10, 27, 12));
  utimesSync(join(r, 'run2', 'nested', 'best.pt'), t, t);
  const app = await testApp(config);
  await app.ckpt.scan.ready();
  return { app, root: r };
}

const get = (app: FastifyInstance, url: string) => app.inject({ url, headers: { host: 'localhost', ...auth } });

describe('GET /api/summary, /api/tree, /api/entry on a real tree', () => {
  it('gives the totals of the root once scanned', async () => {
    const { app } = await appOnTree();
    const s = (await get(app, '/api/summary')).json();
    expect(s.scan.state).toBe('ready');
    // The hard link's second name adds nothing; the symlink adds its own size (the target's length).
    expect(s.totals.dirs).toBe(3);
    expect(s.totals.files).toBe(7);
    expect(s.totals.bytes).toBe(33 * GiB + 8192 + 3 + '../run1/final_model.pt'.length);
    expect(s.totals.diskBytes).toBeLessThan(1024 * 1024);
    expect(s.tags.hardlink).toEqual({ count: 1, bytes: 3 });
  });

  it('lists a folder with every Entry field, sorted by size, natural name, and paged', async () => {
    const { app, root } = await appOnTree();
    const page = (await get(app, '/api/tree?path=run1&sort=size&order=desc')).json();
    expect(page.path).toBe('run1');
    expect(page.total).toBe(6);
    const top = page.entries[0];
    const st = statSync(join(root, 'run1', 'checkpoint_epoch11.pt'));
    expect(top).toMatchObject({
      path: 'run1/checkpoint_epoch11.pt',
      name: 'checkpoint_epoch11.pt',
      kind: 'file',
      bytes: 11 * GiB,
      diskBytes: st.blocks * 512,
      files: 1,
      tags: expect.any(Array),
      userTags: [],
      protected: false,
    });
    // The index keeps nanoseconds; the float milliseconds of the two stats may differ in the last bit.
    expect(top.mtimeMs).toBeCloseTo(st.mtimeMs, 3);
    expect(top.etag).toMatch(/\S{6,}/);
    const byName = (await get(app, '/api/tree?path=run1&sort=name&order=asc')).json();
    expect(byName.entries.map((e: { name: string }) => e.name)).toEqual([
      'checkpoint_epoch1.pt', 'checkpoint_epoch2.pt', 'checkpoint_epoch9.pt', 'checkpoint_epoch10.pt', 'checkpoint_epoch11.pt', 'final_model.pt',
    ]);
    const paged = (await get(app, '/api/tree?path=run1&sort=name&order=desc&offset=1&limit=2')).json();
    expect(paged.total).toBe(6);
    expect(paged.entries.map((e: { name: string }) => e.name)).toEqual(['checkpoint_epoch11.pt', 'checkpoint_epoch10.pt']);
    const rootPage = (await get(app, '/api/tree?sort=size')).json();
    const run1 = rootPage.entries.find((e: { name: string }) => e.name === 'run1');
    expect(run1).toMatchObject({ kind: 'dir', bytes: 33 * GiB + 8192, files: 6, children: 6 });
  });

  it('describes symlinks and hard links without following or double counting', async () => {
    const { app } = await appOnTree();
    const link = (await get(app, '/api/entry?path=run2/alias.pt')).json();
    expect(link).toMatchObject({ kind: 'symlink', files: 0, target: '../run1/final_model.pt' });
    const second = (await get(app, '/api/entry?path=run2/z-link.pt')).json();
    expect(second.tags).toContain('hardlink');
    const first = (await get(app, '/api/entry?path=run2/nested/best.pt')).json();
    expect(first.tags).not.toContain('hardlink');
    expect(first.mtimeMs).toBe(Date.UTC(2025, 10, 27, 12));
    const run2 = (await get(app, '/api/entry?path=run2')).json();
    // The second name of the hard link adds nothing, like du.
    expect(run2.files).toBe(1);
    expect(run2.mtimeMs).toBeGreaterThanOrEqual(Date.UTC(2025, 10, 27, 12));
    expect(run2.protectedBy).toEqual([]);
    expect(run2.references).toEqual([]);
  });

  it('changes the etag when a file is rewritten and the index learns of it', async () => {
    const { app, root } = await appOnTree();
    const before = (await get(app, '/api/entry?path=run2/nested/best.pt')).json().etag;
    writeFileSync(join(root, 'run2', 'nested', 'best.pt'), 'abcdef');
    await (app.ckpt.scan as unknown as { applyPath(p: string): Promise<void> }).applyPath('run2/nested/best.pt');
    const after = (await get(app, '/api/entry?path=run2/nested/best.pt')).json();
    expect(after.etag).not.toBe(before);
    expect(after.bytes).toBe(6);
  });

  it('answers 404 for unknown paths and 400 for paths that could leave the root', async () => {
    const { app } = await appOnTree();
    expect((await get(app, '/api/tree?path=nope')).statusCode).toBe(404);
    expect((await get(app, '/api/tree?path=run1/final_model.pt')).statusCode).toBe(404);
    expect((await get(app, '/api/entry?path=run1/nope.pt')).json().error.code).toBe('NOT_FOUND');
    for (const p of ['..', '../x', 'run1/../..', '/etc', '%2Fetc', 'run1%00x', 'run1/', '..%2Fx', '%2e%2e']) {
      for (const route of ['/api/tree', '/api/entry']) {
        const res = await get(app, `${route}?path=${p}`);
        expect(res.statusCode, `${route} ${p}`).toBe(400);
        expect(res.json().error.code).toBe('INVALID_PATH');
      }
    }
    expect((await get(app, '/api/tree?path=run1&sort=bogus')).statusCode).toBe(400);
    expect((await get(app, '/api/tree?path=run1&limit=0')).statusCode).toBe(400);
  });
});
