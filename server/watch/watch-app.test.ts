import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../shared/schemas/events.js';
import { put } from '../scan/test-utils/trees.js';
import { auth, testApp, testConfig } from '../test-utils/app.js';
import { waitFor } from './test-utils/watched.js';

describe('the app watches its root', () => {
  it('publishes a tree event for a file written after the first scan, and a notice when the root goes', async () => {
    const config = testConfig();
    put(config.root, 'run/e1.pt', 10);
    const app = await testApp(config);
    const events: ServerEvent[] = [];
    app.ckpt.events.subscribe((s) => events.push(s.event));
    await app.ckpt.scan.ready();

    // The watcher starts after the first scan: write until a change comes through.
    await waitFor(() => {
      put(config.root, 'run/e2.pt', 2048);
      return events.some((e) => e.type === 'tree' && e.upserts.some((u) => u.path === 'run/e2.pt'));
    }, 'a tree event for run/e2.pt');
    const res = await app.inject({ method: 'GET', url: '/api/entry?path=run/e2.pt', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ path: 'run/e2.pt', bytes: 2048 });

    rmSync(config.root, { recursive: true });
    await waitFor(() => events.some((e) => e.type === 'notice' && e.code === 'ROOT_GONE'), 'ROOT_GONE');
    await app.close();
  });
});
