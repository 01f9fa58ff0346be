import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_FILE_NAME } from './app.js';
import { auth, testApp, testConfig, TEST_TOKEN } from './test-utils/app.js';

const H = { host: '127.0.0.1:7878' };

describe('buildApp', () => {
  it('runs read-only and says why when the state file is corrupt', async () => {
    const config = testConfig();
    mkdirSync(config.stateDir, { recursive: true });
    writeFileSync(join(config.stateDir, STATE_FILE_NAME), 'garbage, not sqlite '.repeat(300));
    const app = await testApp(config);
    const s = (await app.inject({ url: '/api/summary', headers: { ...H, ...auth } })).json();
    expect(s.readOnly).toBe(true);
    expect(s.readOnlyReason).toMatch(/not a valid database/);
    // Signing in still works (sessions live in memory meanwhile).
    const signIn = await app.inject({ method: 'POST', url: '/api/session', headers: { ...H, 'content-type': 'application/json' }, payload: { token: TEST_TOKEN } });
    expect(signIn.statusCode).toBe(200);
  });

  it('keeps sessions across a restart, and --new-token ends them', async () => {
    const config = testConfig();
    const first = await testApp(config);
    const res = await first.inject({ method: 'POST', url: '/api/session', headers: { ...H, 'content-type': 'application/json' }, payload: { token: TEST_TOKEN } });
    const cookie = `ckptdash_7878=${res.cookies[0].value}`;
    await first.close();
    const second = await testApp(config);
    expect((await second.inject({ url: '/api/summary', headers: { ...H, cookie } })).statusCode).toBe(200);
    await second.close();
    const rotated = await testApp({ ...config, token: { ...config.token, rotate: true } });
    expect((await rotated.inject({ url: '/api/summary', headers: { ...H, cookie } })).statusCode).toBe(401);
  });

  it('answers unknown API routes with a JSON 404 and app pages with the app', async () => {
    const app = await testApp();
    const api = await app.inject({ url: '/api/nope', headers: { ...H, ...auth } });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
    for (const page of ['/', '/tree', '/overview', '/models']) {
      const res = await app.inject({ url: page, headers: H });
      expect(res.statusCode, page).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
    }
  });
});
