// Builds small real projects for the tag-rule and planner tests: checkpoints
// with metrics (real torch zips), plain files, chosen ages; then serves them
// through the app so tests see exactly what the API answers.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { Plan } from '../../../shared/schemas/api.js';
import type { Entry, EntryDetails } from '../../../shared/schemas/entry.js';
import type { Config } from '../../config.js';
import { writeCheckpoint } from '../../demo/checkpoint-content.js';
import { auth, testApp, testConfig } from '../../test-utils/app.js';
import type { ReferenceSource } from '../classify.js';
import type { Reference } from '../../../shared/schemas/entry.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** One file of a test tree: a checkpoint (with epoch and metrics) or plain text, with an age. */
export type TreeFile = { epoch?: number; metrics?: Record<string, number>; text?: string; ageMs?: number };

/** Writes the files under the config's root (a checkpoint when `epoch` is given). */
export async function writeTree(root: string, files: Record<string, TreeFile>): Promise<void> {
  for (const [path, f] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (f.epoch !== undefined) await writeCheckpoint(abs, { epoch: f.epoch, metrics: f.metrics ?? {}, targetBytes: 48 * 1024 });
    else writeFileSync(abs, f.text ?? 'log\n');
    const t = new Date(Date.now() - (f.ageMs ?? 10 * DAY));
    utimesSync(abs, t, t);
  }
}

/** A hand-made reference list (the reference reader has its own tests). */
export function refsOf(list: Array<{ target: string } & Reference>): ReferenceSource & { version: number } {
  const by = new Map<string, Reference[]>();
  for (const { target, ...r } of list) by.set(target, [...(by.get(target) ?? []), r]);
  return { version: 1, targets: () => by.keys(), refsTo: (t) => by.get(t) ?? [] };
}

/** The app over a test tree, with every checkpoint read. */
export async function rulesApp(files: Record<string, TreeFile>, over: Partial<Config> = {}, prepare?: (root: string) => void): Promise<FastifyInstance> {
  const config = testConfig(over);
  await writeTree(config.root, files);
  prepare?.(config.root);
  const app = await testApp(config);
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  return app;
}

const headers = { host: 'localhost', ...auth };

export async function entryOf(app: FastifyInstance, path: string): Promise<EntryDetails> {
  const res = await app.inject({ url: `/api/entry?path=${encodeURIComponent(path)}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function planOf(app: FastifyInstance, query: string): Promise<Plan> {
  const res = await app.inject({ url: `/api/plan?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function tag(app: FastifyInstance, body: Record<string, unknown>): Promise<{ statusCode: number; json: () => Entry & { error?: { code: string; message: string } } }> {
  return app.inject({ method: 'POST', url: '/api/tags', headers, payload: body });
}

/** Every item path of a plan, sorted. */
export const itemPaths = (p: Plan) => p.items.map((i) => i.path).sort();
