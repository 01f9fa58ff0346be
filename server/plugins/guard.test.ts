import { describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { auth, testApp, TEST_TOKEN } from '../test-utils/app.js';
import { BODY_LIMIT } from '../app.js';

const HOST = '127.0.0.1:7878';
const ORIGIN = `http://${HOST}`;

/** Every registered route with its parameters filled in, so a new route is covered without a new test. */
function routes(app: FastifyInstance) {
  return app.ckpt.routes
    .filter((r) => r.method !== 'OPTIONS')
    .map((r) => ({ ...r, path: r.url.replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'index.html') }));
}

async function send(app: FastifyInstance, r: { method: string; path: string }, headers: Record<string, string>, extra: Partial<InjectOptions> = {}) {
  const isBodyMethod = ['POST', 'PUT', 'PATCH'].includes(r.method);
  return app.inject({
    method: r.method as InjectOptions['method'],
    url: r.path,
    headers: { host: HOST, ...(isBodyMethod ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(isBodyMethod ? { payload: '{}' } : {}),
    ...extra,
  });
}

async function signIn(app: FastifyInstance): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/session',
    headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/json' },
    payload: { token: TEST_TOKEN },
  });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'ckptdash_7878');
  expect(cookie).toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Strict');
  expect(cookie!.path).toBe('/api');
  expect(cookie!.value).not.toContain(TEST_TOKEN);
  return `ckptdash_7878=${cookie!.value}`;
}

describe('the request guard, over every route', () => {
  it('lists the routes of the contract', async () => {
    const app = await testApp();
    const urls = routes(app).map((r) => `${r.method} ${r.url}`);
    for (const want of ['POST /api/session', 'GET /api/summary', 'GET /api/tree', 'GET /api/entry', 'GET /api/events', 'GET /api/jobs', 'GET /api/openapi.json']) {
      expect(urls).toContain(want);
    }
    // The SSE route never ends; inject cannot read it, so it is checked over a socket in events.test.ts.
  });

  it.each([
    ['a foreign Host', { host: 'evil.example' }, 403, 'HOST_NOT_ALLOWED'],
    ['a Host that only starts like localhost', { host: 'localhost.evil.com' }, 403, 'HOST_NOT_ALLOWED'],
    ['a rebinding Host', { host: '127.0.0.1.nip.io:7878' }, 403, 'HOST_NOT_ALLOWED'],
    ['a malformed Host', { host: 'local host' }, 403, 'HOST_NOT_ALLOWED'],
    ['a foreign Origin', { origin: 'http://evil.example' }, 403, 'ORIGIN_NOT_ALLOWED'],
    ['Origin null', { origin: 'null' }, 403, 'ORIGIN_NOT_ALLOWED'],
    ['an Origin on another local port', { origin: 'http://127.0.0.1:9999' }, 403, 'ORIGIN_NOT_ALLOWED'],
    ['an https Origin', { origin: `https://${HOST}` }, 403, 'ORIGIN_NOT_ALLOWED'],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }, 403, 'CROSS_SITE'],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }, 403, 'CROSS_SITE'],
  ])('refuses %s on every route, even with a valid token', async (_name, headers, status, code) => {
    const app = await testApp();
    for (const r of routes(app)) {
      if (r.path === '/api/events') continue;
      const res = await send(app, r, { ...auth, ...headers });
      expect(res.statusCode, `${r.method} ${r.path}`).toBe(status);
      expect(res.json().error.code, `${r.method} ${r.path}`).toBe(code);
    }
  });

  it('refuses every /api route without a token, with a wrong one, or one of another length', async () => {
    const app = await testApp();
    const checks = routes(app)
      .filter((x) => x.path.startsWith('/api/') && !x.public)
      .flatMap((r) =>
        ([{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: 'Bearer x' }, { authorization: 'Basic abc' }] as Record<string, string>[]).map(
          async (headers) => {
            const res = await send(app, r, headers);
            expect(res.statusCode, `${r.method} ${r.path} ${JSON.stringify(headers)}`).toBe(401);
            expect(res.json().error.code).toBe('UNAUTHORIZED');
          },
        ),
      );
    await Promise.all(checks);
  });

  it('delays each failed attempt on its own, without locking out the right token', async () => {
    const app = await testApp();
    const t0 = Date.now();
    const bad = Promise.all(
      Array.from({ length: 5 }, () => send(app, { method: 'GET', path: '/api/summary' }, { authorization: 'Bearer nope' })),
    );
    const good = await send(app, { method: 'GET', path: '/api/summary' }, auth);
    const goodMs = Date.now() - t0;
    expect(good.statusCode).toBe(200);
    const results = await bad;
    expect(results.every((r) => r.statusCode === 401)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(goodMs).toBeLessThan(200);
  });

  it('lets the session cookie read, and mutate only with a matching Origin', async () => {
    const app = await testApp();
    const cookie = await signIn(app);
    const get = await send(app, { method: 'GET', path: '/api/summary' }, { cookie });
    expect(get.statusCode).toBe(200);
    for (const r of routes(app).filter((x) => x.method === 'POST' && !x.public)) {
      const noOrigin = await send(app, r, { cookie });
      expect(noOrigin.statusCode, `${r.method} ${r.path}`).toBe(403);
      expect(noOrigin.json().error.code).toBe('ORIGIN_REQUIRED');
      const withOrigin = await send(app, r, { cookie, origin: ORIGIN, 'sec-fetch-site': 'same-origin' });
      expect([200, 202, 400, 404, 409], `${r.method} ${r.path}`).toContain(withOrigin.statusCode);
    }
    const forged = await send(app, { method: 'GET', path: '/api/summary' }, { cookie: 'ckptdash_7878=forged' });
    expect(forged.statusCode).toBe(401);
    const otherPort = await send(app, { method: 'GET', path: '/api/summary' }, { cookie: cookie.replace('7878', '7879') });
    expect(otherPort.statusCode).toBe(401);
  });

  it('lets Bearer mutate without an Origin (scripts)', async () => {
    const app = await testApp();
    const res = await send(app, { method: 'POST', path: '/api/jobs' }, auth, { payload: { kind: 'nope' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('UNKNOWN_JOB_KIND');
  });

  it('refuses a wrong token at /api/session and never echoes it', async () => {
    const app = await testApp();
    const res = await app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { host: HOST, origin: ORIGIN, 'content-type': 'application/json' },
      payload: { token: 'guess-guess-guess' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('guess-guess-guess');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['text/plain', 'text/plain', '{"token":"x"}', 415],
    ['a form', 'application/x-www-form-urlencoded', 'token=x', 415],
    ['multipart', 'multipart/form-data; boundary=x', '--x--', 415],
    ['an oversize body', 'application/json', JSON.stringify({ token: 'a'.repeat(BODY_LIMIT + 10) }), 413],
    ['extra properties', 'application/json', JSON.stringify({ token: TEST_TOKEN, admin: true }), 400],
    ['a __proto__ key', 'application/json', '{"token":"x","__proto__":{"admin":true}}', 400],
    ['broken JSON', 'application/json', '{"token":', 400],
  ])('refuses %s on every POST route', async (_name, type, payload, status) => {
    const app = await testApp();
    for (const r of routes(app).filter((x) => x.method === 'POST')) {
      const res = await send(app, r, { ...auth, 'content-type': type }, { payload });
      expect(res.statusCode, `${r.method} ${r.path}`).toBe(status);
      expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
    }
  });

  it('accepts loopback Host spellings and --allow-host names, and the happy paths pass', async () => {
    const { testConfig } = await import('../test-utils/app.js');
    const app = await testApp(testConfig({ allowHosts: ['gpu-box.lan'] }));
    for (const host of ['localhost:7878', '127.0.0.1', '[::1]:7878', 'gpu-box.lan:7878', 'LOCALHOST:1']) {
      const res = await app.inject({ method: 'GET', url: '/api/summary', headers: { host, ...auth, 'sec-fetch-site': 'same-origin' } });
      expect(res.statusCode, host).toBe(200);
    }
    const page = await app.inject({ method: 'GET', url: '/tree', headers: { host: HOST, 'sec-fetch-site': 'none' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('sends the security headers everywhere and grants no CORS', async () => {
    const app = await testApp();
    for (const r of routes(app)) {
      if (r.path === '/api/events') continue;
      const res = await send(app, r, auth);
      expect(res.headers['content-security-policy'], r.path).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/session',
      headers: { host: HOST, origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses mutating routes in read-only mode', async () => {
    const { testConfig } = await import('../test-utils/app.js');
    const app = await testApp(testConfig({ readOnly: true }));
    const summary = await send(app, { method: 'GET', path: '/api/summary' }, auth);
    expect(summary.json().readOnly).toBe(true);
    app.ckpt.jobs.register({ kind: 'touch', mutates: true, prepare: () => ({ title: 't', unit: 'files', params: {} }), run: async () => 1 });
    app.ckpt.jobs.register({ kind: 'look', mutates: false, prepare: () => ({ title: 'l', unit: 'files', params: {} }), run: async () => 2 });
    const touch = await send(app, { method: 'POST', path: '/api/jobs' }, auth, { payload: { kind: 'touch' } });
    expect(touch.statusCode).toBe(403);
    expect(touch.json().error.code).toBe('READ_ONLY');
    const look = await send(app, { method: 'POST', path: '/api/jobs' }, auth, { payload: { kind: 'look' } });
    expect(look.statusCode).toBe(202);
    // Routes marked as mutating are refused before their handler runs.
    for (const r of app.ckpt.routes.filter((x) => x.mutates)) {
      const res = await send(app, { method: r.method, path: r.url.replace(/:[A-Za-z]+/g, 'x') }, auth);
      expect(res.statusCode, r.url).toBe(403);
      expect(res.json().error.code).toBe('READ_ONLY');
    }
  });
});
