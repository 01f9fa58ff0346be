// Attacks on the one route that deletes: hostile paths, links out of the
// root, files swapped between plan and deletion, odd names. Sentinel files
// outside the root must keep their contents whatever is asked.
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { auth } from '../test-utils/app.js';
import { planOf, rulesApp } from '../tags/test-utils/rules.js';

const headers = { host: 'localhost', ...auth };
const del = (app: FastifyInstance, body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/deletions', headers, payload: body });

/** A project whose root has a sibling sharing its prefix (`checkpoints-evil`) and a sentinel beside it. */
async function target(): Promise<{ app: FastifyInstance; root: string; sentinels: string[] }> {
  const app = await rulesApp({ 'debug_a/x.pt': { epoch: 1 }, 'debug_b/y.pt': { epoch: 2 } });
  const root = app.ckpt.config.root;
  const project = dirname(root);
  const sentinels = [join(project, 'sentinel.pt'), join(`${root}-evil`, 'x.pt'), join(project, 'configs', 'keep.json')];
  for (const s of sentinels) {
    mkdirSync(dirname(s), { recursive: true });
    writeFileSync(s, `sentinel ${s}`);
  }
  return { app, root, sentinels };
}

function intact(sentinels: string[]): void {
  for (const s of sentinels) expect(readFileSync(s, 'utf8'), s).toBe(`sentinel ${s}`);
}

describe('hostile deletion requests', () => {
  it.each([
    '../sentinel.pt',
    'debug_a/../../sentinel.pt',
    '..%2fsentinel.pt',
    '%2e%2e%2fsentinel.pt',
    '%252e%252e%252fsentinel.pt',
    '..\\sentinel.pt',
    '/etc/passwd',
    '//proc/self/root/etc/passwd',
    'file:///etc/passwd',
    'debug_a/',
    'debug_a/x.pt\u0000',
    '%c0%ae%c0%ae/sentinel.pt',
    '../checkpoints-evil/x.pt',
    '\u2025/sentinel.pt',
    'debug_a/./x.pt',
    '',
  ])('refuses %j and touches nothing', async (path) => {
    const { app, root, sentinels } = await target();
    const res = await del(app, { path });
    expect([400, 404], res.body).toContain(res.statusCode);
    intact(sentinels);
    expect(readFileSync(join(root, 'debug_a/x.pt')).length).toBeGreaterThan(0);
  });

  it('refuses bodies that are not the schema: extra keys, wrong types, prototype keys, huge strings', async () => {
    const { app, sentinels } = await target();
    for (const payload of [
      { path: 'debug_a', admin: true },
      { path: ['debug_a'] },
      { path: 'debug_a', etag: 'x'.repeat(10_000) },
      JSON.parse('{"path":"debug_a","__proto__":{"force":true}}'),
      { path: 'debug_a', policy: 'reckless' },
    ]) {
      const res = await del(app, payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
    }
    intact(sentinels);
    expect((await planOf(app, 'policy=conservative')).items.map((i) => i.path)).toEqual(['debug_a', 'debug_b']);
  });

  it('never deletes through a symlink: a link to a file or folder outside goes as a link, a parent swapped for one is refused', async () => {
    const { app, root, sentinels } = await target();
    const project = dirname(root);
    symlinkSync(join(project, 'sentinel.pt'), join(root, 'file-link.pt'));
    symlinkSync(join(project, 'configs'), join(root, 'dir-link'));
    symlinkSync('loop', join(root, 'loop'));
    const scan = app.ckpt.scan as unknown as { applyPath(p: string): Promise<void> };
    for (const p of ['file-link.pt', 'dir-link', 'loop']) await scan.applyPath(p);
    for (const p of ['file-link.pt', 'dir-link', 'loop']) expect((await del(app, { path: p })).statusCode, p).toBe(200);
    expect((await del(app, { path: 'dir-link/keep.json' })).statusCode).toBe(404);
    intact(sentinels);

    // debug_b becomes a link to the configs folder: its planned child must not be reachable.
    rmSync(join(root, 'debug_b'), { recursive: true });
    symlinkSync(join(project, 'configs'), join(root, 'debug_b'));
    const res = await del(app, { path: 'debug_b/keep.json' });
    expect([404, 409]).toContain(res.statusCode);
    intact(sentinels);
  });

  it('refuses a file replaced between the plan and the deletion (rename, rewrite, folder), keeping the new one', async () => {
    const { app, root } = await target();
    const plan = await planOf(app, 'policy=conservative');
    const a = plan.items.find((i) => i.path === 'debug_a')!;
    const b = plan.items.find((i) => i.path === 'debug_b')!;
    // A rewrite in place of a file inside debug_a, a swap of debug_b for a new folder of the same name.
    writeFileSync(join(root, 'debug_a/x.pt'), 'rewritten');
    renameSync(join(root, 'debug_b'), join(root, 'old_b'));
    mkdirSync(join(root, 'debug_b'));
    writeFileSync(join(root, 'debug_b/new.pt'), 'new');
    // Old dates: fresh files would make these runs' resume points (PROTECTED) before the etag is even looked at.
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const p of ['debug_a/x.pt', 'debug_b/new.pt', 'debug_b']) utimesSync(join(root, p), old, old);
    for (const item of [a, b]) {
      const res = await del(app, { path: item.path, etag: item.etag });
      expect(res.statusCode, item.path).toBe(409);
      expect(res.json().error.code).toBe('CHANGED');
    }
    expect(readFileSync(join(root, 'debug_a/x.pt'), 'utf8')).toBe('rewritten');
    expect(readFileSync(join(root, 'debug_b/new.pt'), 'utf8')).toBe('new');
  });

  it('GET routes change nothing: not the disk, the journal, the tags, nor the plan', async () => {
    const { app, root } = await target();
    const before = JSON.stringify(await planOf(app, 'policy=aggressive'));
    for (const r of app.ckpt.routes.filter((x) => x.method === 'GET' && x.url !== '/api/events' && !x.url.includes('*'))) {
      const url = r.url.replace(/:[A-Za-z]+/g, 'x');
      for (const q of ['', '?path=debug_a', '?path=debug_a&add=historical', '?policy=aggressive&path=debug_a']) {
        await app.inject({ url: url + q, headers });
      }
    }
    expect(readFileSync(join(root, 'debug_a/x.pt')).length).toBeGreaterThan(0);
    expect(JSON.stringify(await planOf(app, 'policy=aggressive'))).toBe(before);
    expect(app.ckpt.journal.sessions()).toEqual([]);
    expect(app.ckpt.tags.userTagsOf('debug_a')).toEqual([]);
  });
});
