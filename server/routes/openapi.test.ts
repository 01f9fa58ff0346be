import { describe, expect, it } from 'vitest';
import { auth, testApp } from '../test-utils/app.js';

describe('GET /api/openapi.json', () => {
  it('describes every API route with its schemas', async () => {
    const app = await testApp();
    const res = await app.inject({ url: '/api/openapi.json', headers: { host: 'localhost', ...auth } });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const apiRoutes = app.ckpt.routes.filter((r) => r.url.startsWith('/api/') && r.url !== '/api/openapi.json');
    for (const r of apiRoutes) expect(documented, `${r.method} ${r.url}`).toContain(`${r.method} ${r.url}`);
    expect(doc.paths['/api/summary'].get.responses['200'].content['application/json'].schema.properties.totals).toBeDefined();
    expect(doc.paths['/api/session'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('answers the summary with what is known', async () => {
    const app = await testApp();
    const res = await app.inject({ url: '/api/summary', headers: { host: 'localhost', ...auth } });
    const s = res.json();
    expect(s.root).toBe(app.ckpt.config.root);
    expect(s.project).toBe(app.ckpt.config.project);
    expect(s.demo).toBe(false);
    expect(s.filesystem.totalBytes).toBeGreaterThan(0);
    expect(s.filesystem.availBytes).toBeGreaterThan(0);
  });
});
