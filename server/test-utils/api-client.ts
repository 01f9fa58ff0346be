// Small helpers for tests that drive the app only through its HTTP API
// (`app.inject()`), as the browser would: query strings built the way the
// web client builds them, and trees aged so the writing rule stays out of
// the way.
import { lstatSync, lutimesSync, readdirSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ServerEvent } from '../../shared/schemas/events.js';
import { auth } from './app.js';

export const DAY_MS = 86_400_000;

/** Sets the times of everything under `dir` (links themselves, never their targets), children first. */
export function ageTree(dir: string | Buffer, ageMs = 10 * DAY_MS): void {
  const when = new Date(Date.now() - ageMs);
  const walk = (p: Buffer): void => {
    if (lstatSync(p).isDirectory()) {
      for (const name of readdirSync(p, { encoding: 'buffer' })) walk(Buffer.concat([p, Buffer.from('/'), name]));
    }
    lutimesSync(p, when, when);
  };
  walk(Buffer.isBuffer(dir) ? dir : Buffer.from(dir));
}

export interface ApiClient {
  get(url: string): Promise<LightMyRequestResponse>;
  /** GET /api/tree for one folder, every child on one page, by name. */
  tree(path: string, query?: Record<string, string>): Promise<LightMyRequestResponse>;
  entry(path: string): Promise<LightMyRequestResponse>;
  summary(): Promise<LightMyRequestResponse>;
  checkpoints(): Promise<LightMyRequestResponse>;
  del(path: string, etag?: string): Promise<LightMyRequestResponse>;
}

/** The API of one app, with the Bearer token and a loopback Host. */
export function apiOf(app: FastifyInstance): ApiClient {
  const headers = { host: 'localhost', ...auth };
  const get = (url: string) => app.inject({ url, headers });
  const qs = (params: Record<string, string>) => new URLSearchParams(params).toString();
  return {
    get,
    tree: (path, query = {}) => get(`/api/tree?${qs({ path, sort: 'name', order: 'asc', limit: '5000', ...query })}`),
    entry: (path) => get(`/api/entry?${qs({ path })}`),
    summary: () => get('/api/summary'),
    checkpoints: () => get('/api/checkpoints'),
    del: (path, etag) =>
      app.inject({ method: 'POST', url: '/api/deletions', headers, payload: etag === undefined ? { path } : { path, etag } }),
  };
}

/** Resolves with the first event the app publishes that `match` accepts (rejects after `ms`). */
export function nextEvent(app: FastifyInstance, match: (e: ServerEvent) => boolean, ms = 10_000): Promise<ServerEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${ms} ms`));
    }, ms);
    const off = app.ckpt.events.subscribe((s) => {
      if (!match(s.event)) return;
      clearTimeout(timer);
      off();
      resolve(s.event);
    });
  });
}

/** Polls `probe` until it returns true (rejects with `what` after `ms`). */
export async function until(probe: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
