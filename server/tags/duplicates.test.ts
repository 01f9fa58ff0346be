import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auth } from '../test-utils/app.js';
import { entryOf, rulesApp } from './test-utils/rules.js';

describe('duplicates as tags', () => {
  it('a duplicates job tags identical checkpoints and each shows its twins; a rewrite clears it', async () => {
    const app = await rulesApp({ 'a/final_model.pt': { epoch: 3 }, 'b/other.pt': { epoch: 4 } });
    const root = app.ckpt.config.root;
    copyFileSync(join(root, 'a/final_model.pt'), join(root, 'b/copy.pt'));
    await app.ckpt.scan.ready();
    const scan = app.ckpt.scan as unknown as { applyPath(p: string): Promise<void> };
    await scan.applyPath('b/copy.pt');

    const headers = { host: 'localhost', ...auth };
    const start = await app.inject({ method: 'POST', url: '/api/jobs', headers, payload: { kind: 'duplicates' } });
    expect(start.statusCode, start.body).toBe(202);
    const id = start.json().id;
    await expect.poll(async () => (await app.inject({ url: `/api/jobs/${id}`, headers })).json().state).toBe('done');

    const a = await entryOf(app, 'a/final_model.pt');
    expect(a.tags).toContain('duplicate');
    expect(a.twins).toEqual(['b/copy.pt']);
    expect((await entryOf(app, 'b/copy.pt')).twins).toEqual(['a/final_model.pt']);
    expect((await entryOf(app, 'b/other.pt')).tags).not.toContain('duplicate');
    const summary = (await app.inject({ url: '/api/summary', headers })).json();
    expect(summary.tags.duplicate).toMatchObject({ count: 2 });

    // The copy changes: its twin is no longer a duplicate.
    writeFileSync(join(root, 'b/copy.pt'), 'different now');
    await scan.applyPath('b/copy.pt');
    expect((await entryOf(app, 'a/final_model.pt')).tags).not.toContain('duplicate');
  });
});
