import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { testApp, TEST_TOKEN } from '../test-utils/app.js';

function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

describe('the guard under load', () => {
  it('keeps answering the right token at once while hundreds of wrong ones wait', async () => {
    const app = await testApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const bad = Array.from({ length: 400 }, (_, i) => get(port, '/api/summary', { authorization: `Bearer wrong-${i}` }));
    const t0 = Date.now();
    const good = await Promise.all(Array.from({ length: 20 }, () => get(port, '/api/summary', { authorization: `Bearer ${TEST_TOKEN}` })));
    const goodMs = Date.now() - t0;
    expect(good.every((s) => s === 200)).toBe(true);
    expect((await Promise.all(bad)).every((s) => s === 401)).toBe(true);
    // No global lock-out: the right token is never queued behind the failures' delays.
    expect(goodMs).toBeLessThan(2000);
  });

  it('survives many event-stream clients connecting and leaving', async () => {
    const app = await testApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    for (let round = 0; round < 5; round++) {
      const reqs = Array.from({ length: 50 }, () =>
        http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { authorization: `Bearer ${TEST_TOKEN}` } }),
      );
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 100; i++) app.ckpt.events.publish({ type: 'notice', level: 'info', code: 'LOAD', message: String(i) });
      for (const r of reqs) r.destroy();
      for (let i = 0; i < 200 && app.ckpt.events.listeners > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(app.ckpt.events.listeners).toBe(0);
    }
  });
});
