// The seed scenario on the generated demo: the tag rules give every path the
// category the seed report gave it, and `moderate` proposes exactly what the
// seed deleted, keeping the four critical models, the historical ones and the
// optional leftovers; the totals equal the manifest's sums.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../shared/tag-rules.js';
import type { Plan } from '../../shared/schemas/api.js';
import type { Entry } from '../../shared/schemas/entry.js';
import { buildApp } from '../app.js';
import { CRITICAL, HISTORICAL } from '../demo/demo-plan.js';
import { generateDemoProject } from '../demo/generate.js';
import type { DemoManifest } from '../demo/manifest.js';
import { auth, TEST_TOKEN, testConfig } from '../test-utils/app.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';

let top: string;
let manifest: DemoManifest;
let app: FastifyInstance;
const headers = { host: 'localhost', ...auth };

beforeAll(async () => {
  top = mkdtempSync(join(os.tmpdir(), 'ckptdash-demo-plan-'));
  manifest = await generateDemoProject(top);
  const config = testConfig({ project: top, root: join(top, 'checkpoints'), stateDir: join(top, '.ckptdash'), demo: true });
  app = await buildApp(config, { token: TEST_TOKEN });
  await app.ready();
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  // The seed's user kept these by hand: the user tags them, as a user of the dashboard would.
  for (const m of HISTORICAL) {
    const res = await app.inject({ method: 'POST', url: '/api/tags', headers, payload: { path: m.path, add: ['historical'] } });
    expect(res.statusCode, res.body).toBe(200);
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  rmSync(top, { recursive: true, force: true });
});

async function tree(path: string): Promise<Entry[]> {
  const res = await app.inject({ url: `/api/tree?path=${encodeURIComponent(path)}&limit=5000`, headers });
  expect(res.statusCode).toBe(200);
  return res.json().entries;
}

async function plan(policy: string): Promise<Plan> {
  return (await app.inject({ url: `/api/plan?policy=${policy}`, headers })).json();
}

describe('the seed scenario on the demo', () => {
  it('every path carries the category the seed report gave it', async () => {
    const byPath = new Map<string, Entry>();
    const walk = async (dir: string) => {
      for (const e of await tree(dir)) {
        byPath.set(e.path, e);
        if (e.kind === 'dir') await walk(e.path);
      }
    };
    await walk('');
    const wrong: string[] = [];
    for (const m of manifest.entries) {
      const tags = byPath.get(m.path)?.tags ?? [];
      const ok = m.category === 'other' ? !tags.some((t) => (CATEGORIES as readonly string[]).includes(t) || t === 'optional' || t === 'critical') : tags.includes(m.category);
      if (!ok) wrong.push(`${m.path}: ${m.category} but [${tags.join(', ')}]`);
    }
    expect(wrong).toEqual([]);
  });

  it('the four critical models are protected by configs/ensemble_best.json, lines 7 to 10', async () => {
    for (const [i, m] of CRITICAL.entries()) {
      const e = (await app.inject({ url: `/api/entry?path=${encodeURIComponent(m.path)}`, headers })).json();
      expect(e.protected).toBe(true);
      expect(e.protectedBy).toEqual([`configs/ensemble_best.json:${7 + i}`]);
      expect(e.references).toEqual([{ file: 'configs/ensemble_best.json', line: 7 + i, key: `models[${i}]`, protects: true, missing: false }]);
    }
  });

  it('moderate proposes exactly the seed cleanup and keeps the rest', async () => {
    const p = await plan('moderate');
    expect(new Set(p.items.map((i) => i.category))).toEqual(new Set(['intermediate', 'experiment', 'ablation', 'debug']));
    const seedDeleted = manifest.entries.filter((e) => ['intermediate', 'experiment', 'ablation', 'debug'].includes(e.category));
    expect(p.totals.bytes).toBe(seedDeleted.reduce((s, e) => s + e.bytes, 0));
    const kept = manifest.entries.filter((e) => !seedDeleted.includes(e));
    expect(p.after.bytes).toBe(kept.reduce((s, e) => s + e.bytes, 0));
    // Every item lies on deleted files only: nothing kept is inside one.
    const inside = (path: string) => p.items.some((i) => path === i.path || path.startsWith(`${i.path}/`));
    expect(kept.filter((e) => inside(e.path)).map((e) => e.path)).toEqual([]);
    expect(seedDeleted.filter((e) => !inside(e.path)).map((e) => e.path)).toEqual([]);
    expect(p.items.filter((i) => i.path === 'repro_quickstart')[0]?.warnings.some((w) => w.startsWith('referenced by scripts/quickstart_landmarks.sh:'))).toBe(true);
  });

  it('conservative keeps the experiment and ablation folders; aggressive leaves only what is protected', async () => {
    const moderate = await plan('moderate');
    const conservative = await plan('conservative');
    const aggressive = await plan('aggressive');
    expect(conservative.totals.bytes).toBeLessThan(moderate.totals.bytes);
    expect(conservative.items.some((i) => i.category === 'experiment' || i.category === 'ablation')).toBe(false);
    expect(aggressive.totals.bytes).toBeGreaterThan(moderate.totals.bytes);
    const protectedPaths = [...CRITICAL, ...HISTORICAL].map((m) => m.path);
    for (const p of protectedPaths) expect(aggressive.items.some((i) => p === i.path || p.startsWith(`${i.path}/`))).toBe(false);
    for (const p of [conservative, moderate, aggressive]) expect(p.after.bytes).toBe(p.before.bytes - p.items.reduce((s, i) => s + i.bytes, 0));
  });

  it('carrying out moderate leaves the seed structure, and the report tells it in English and Spanish', async () => {
    const p = await plan('moderate');
    const root = app.ckpt.config.root;
    const { createHash } = await import('node:crypto');
    const { readFileSync, existsSync } = await import('node:fs');
    const hash = (path: string) => createHash('sha256').update(readFileSync(join(root, path))).digest('hex');
    const keptModels = manifest.entries.filter((e) => ['critical', 'historical', 'optional'].includes(e.category));
    expect(keptModels.length).toBe(10);
    const before = new Map(keptModels.map((e) => [e.path, hash(e.path)]));
    for (const it of p.items) {
      const res = await app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: it.path, etag: it.etag, policy: 'moderate' } });
      expect(res.statusCode, `${it.path}: ${res.body}`).toBe(200);
    }
    const summary = (await app.inject({ url: '/api/summary', headers })).json();
    expect(summary.totals.bytes).toBe(p.after.bytes);
    // Exactly the planned entries are gone; the kept models are intact byte for byte.
    for (const it of p.items) expect(existsSync(join(root, it.path)), it.path).toBe(false);
    for (const [path, h] of before) expect(hash(path), path).toBe(h);
    const journal = (await app.inject({ url: '/api/journal', headers })).json().sessions;
    expect(journal).toHaveLength(1);
    expect(journal[0].entries.map((e: { path: string }) => e.path).sort()).toEqual(p.items.map((i) => i.path).sort());
    expect(journal[0].entries.every((e: { result: string; policy: string }) => e.result === 'deleted' && e.policy === 'moderate')).toBe(true);
    expect((await plan('moderate')).items).toEqual([]);

    const en = await app.inject({ url: '/api/report', headers });
    expect(en.statusCode).toBe(200);
    expect(en.headers['content-type']).toMatch(/^text\/markdown/);
    const md = en.body;
    const { formatBytes } = await import('../../shared/format.js');
    expect(md).toContain(`- Before: ${formatBytes(p.before.bytes)}`);
    expect(md).toContain(`- After: ${formatBytes(p.after.bytes)}`);
    expect(md).toContain(`- Space freed: ${formatBytes(p.totals.bytes)}`);
    for (const [i, m] of CRITICAL.entries()) expect(md).toContain(`\`checkpoints/${m.path}\``), expect(md).toContain(`\`configs/ensemble_best.json:${7 + i}\``);
    for (const m of HISTORICAL) expect(md).toMatch(new RegExp(`### Historical models[\\s\\S]*checkpoints/${m.path}`));
    for (const c of ['intermediate', 'experiment', 'ablation', 'debug']) {
      const items = p.items.filter((i) => i.category === c);
      const bytes = items.reduce((s, i) => s + i.bytes, 0);
      const name = { intermediate: 'Intermediate checkpoints', experiment: 'Reproduction experiments', ablation: 'Ablation experiments', debug: 'Debug runs' }[c];
      const files = items.reduce((s, i) => s + i.files, 0);
      expect(md).toMatch(new RegExp(`### \\d\\. ${name}\\n- \\*\\*Count\\*\\*: [\\d,]+ \\(${files.toLocaleString('en')} files\\)`));
      expect(md).toContain(`- **Space freed**: ${formatBytes(bytes)}`);
    }
    expect(md).toContain('- `repro_quickstart/` - 21.0 GiB');
    expect(md).toMatch(/`scripts\/quickstart_landmarks\.sh:\d+` → `repro_quickstart\/session10\/seed123\/final_model\.pt`/);
    expect(md).toContain('`checkpoints/best_model_7.21px.pt`');
    expect(md).toContain('session13/hierarchical/final_model.pt');

    const es = (await app.inject({ url: '/api/report?lang=es', headers })).body;
    for (const h of ['## Resumen Ejecutivo', '## Modelos Preservados', '### Modelos Críticos', '## Archivos Eliminados', '## Verificación de Integridad', '## Archivos Adicionales No Eliminados', '## Estructura Final', '## Próximos Pasos']) {
      expect(es).toContain(h);
    }
  });
});
