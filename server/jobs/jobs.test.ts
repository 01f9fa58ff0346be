import { describe, expect, it } from 'vitest';
import type { Job } from '../../shared/schemas/jobs.js';
import { ApiError } from '../errors.js';
import { auth, testApp } from '../test-utils/app.js';
import { JobManager, type JobKind } from './manager.js';

const counter: JobKind<{ n: number }> = {
  kind: 'count',
  mutates: false,
  prepare: (p) => {
    const n = Number(p.n ?? 5);
    if (!Number.isInteger(n) || n < 0 || n > 1000) throw new ApiError(400, 'INVALID_PARAMS', 'n must be 0..1000');
    return { title: `Count to ${n}`, unit: 'items', params: { n } };
  },
  run: async ({ n }, ctx) => {
    ctx.progress({ total: n });
    for (let i = 1; i <= n; i++) {
      if (ctx.signal.aborted) return { reached: i - 1 };
      await new Promise((r) => setTimeout(r, 5));
      ctx.progress({ done: i, message: `at ${i}` });
    }
    return { reached: n };
  },
};

describe('jobs', () => {
  it('run with progress events and a final result', async () => {
    const seen: Job[] = [];
    const m = new JobManager((j) => seen.push(j), () => false);
    m.register(counter);
    const job = m.start('count', { n: 20 });
    expect(job.state).toBe('running');
    const done = await m.settle(job.id);
    expect(done).toMatchObject({ state: 'done', done: 20, total: 20, result: { reached: 20 } });
    expect(seen[0].state).toBe('running');
    expect(seen.at(-1)!.state).toBe('done');
    // Progress is coalesced: far fewer events than steps, but more than start and end.
    expect(seen.length).toBeLessThan(20);
  });

  it('cancel, refuse a second job of the same kind, and report failures', async () => {
    const m = new JobManager(() => {}, () => false);
    m.register(counter);
    m.register({ kind: 'boom', mutates: false, prepare: () => ({ title: 'b', unit: 'x', params: {} }), run: async () => { throw new Error('disk on fire'); } });
    const job = m.start('count', { n: 500 });
    expect(() => m.start('count', { n: 1 })).toThrow(/already running/);
    m.cancel(job.id);
    expect((await m.settle(job.id))!.state).toBe('cancelled');
    const boom = m.start('boom');
    expect(await m.settle(boom.id)).toMatchObject({ state: 'failed', error: { code: 'JOB_FAILED', message: 'disk on fire' } });
    expect(() => m.start('count', { n: -1 })).toThrow(/n must be/);
    expect(() => m.cancel('nope')).toThrow(/no job/);
  });

  it('are driven over the API and announced as events', async () => {
    const app = await testApp();
    app.ckpt.jobs.register(counter);
    const events: unknown[] = [];
    app.ckpt.events.subscribe((s) => events.push(s.event));
    const started = await app.inject({ method: 'POST', url: '/api/jobs', headers: { host: 'localhost', ...auth }, payload: { kind: 'count', params: { n: 300 } } });
    expect(started.statusCode).toBe(202);
    const id = started.json().id;
    const cancel = await app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: { host: 'localhost', ...auth }, payload: {} });
    expect(cancel.statusCode).toBe(200);
    await app.ckpt.jobs.settle(id);
    const got = await app.inject({ url: `/api/jobs/${id}`, headers: { host: 'localhost', ...auth } });
    expect(got.json().state).toBe('cancelled');
    const list = await app.inject({ url: '/api/jobs', headers: { host: 'localhost', ...auth } });
    expect(list.json().items.map((j: Job) => j.id)).toContain(id);
    expect(events.some((e: any) => e.type === 'job' && e.job.id === id && e.job.state === 'cancelled')).toBe(true);
    const bad = await app.inject({ method: 'POST', url: '/api/jobs', headers: { host: 'localhost', ...auth }, payload: { kind: 'count', params: { n: 'x' } } });
    expect(bad.statusCode).toBe(400);
    const missing = await app.inject({ url: '/api/jobs/nope', headers: { host: 'localhost', ...auth } });
    expect(missing.statusCode).toBe(404);
  });
});
