import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from './generate.js';
import type { DemoManifest } from './manifest.js';
import { crcOfEntry, readEntry, readZip } from './test-utils/zip-reader.js';
import { crc32OfZeros } from './zero-crc.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
let top: string;
let project: string;
let manifest: DemoManifest;
let generationMs: number;

async function walk(dir: string, rel = ''): Promise<Array<{ rel: string; full: string }>> {
  const out: Array<{ rel: string; full: string }> = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push({ rel: `${r}/`, full: path.join(dir, d.name) }, ...(await walk(path.join(dir, d.name), r)));
    else out.push({ rel: r, full: path.join(dir, d.name) });
  }
  return out;
}

beforeAll(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), 'ckptdash-demo-'));
  project = path.join(top, 'demo');
  const started = performance.now();
  manifest = await generateDemoProject(project);
  generationMs = performance.now() - started;
});
afterAll(async () => {
  await rm(top, { recursive: true, force: true });
});

const ckpt = (rel: string) => path.join(project, 'checkpoints', ...rel.split('/'));
const entry = (rel: string) => manifest.entries.find((e) => e.path === rel)!;

describe('generated demo project', () => {
  it('matches its manifest byte for byte, with no extra or missing files', async () => {
    const onDisk = (await walk(path.join(project, 'checkpoints'))).filter((f) => !f.rel.endsWith('/'));
    expect(onDisk.map((f) => f.rel).sort()).toEqual(manifest.entries.map((e) => e.path));
    for (const e of manifest.entries) {
      const st = await lstat(ckpt(e.path));
      expect(st.isFile(), e.path).toBe(true);
      expect(st.size, e.path).toBe(e.bytes);
      expect(st.mtimeMs, e.path).toBe(e.mtimeMs);
    }
    const saved = JSON.parse(await readFile(path.join(project, 'demo-manifest.json'), 'utf8'));
    expect(saved).toEqual(manifest);
    expect(manifest.totals.files).toBe(manifest.entries.length);
    expect(manifest.totals.bytes).toBe(manifest.entries.reduce((s, e) => s + e.bytes, 0));
    const byCat = Object.values(manifest.totals.byCategory);
    expect(byCat.reduce((s, c) => s + c.bytes, 0)).toBe(manifest.totals.bytes);
  });

  it('has the report totals: ~134 GB, 1,125 checkpoint_epoch files, 629 MB left after the cleanup', () => {
    expect(manifest.totals.bytes).toBeGreaterThan(133 * GiB);
    expect(manifest.totals.bytes).toBeLessThanOrEqual(134 * GiB);
    expect(manifest.entries.filter((e) => /(^|\/)checkpoint_epoch\d+\.pt$/.test(e.path))).toHaveLength(1125);
    const c = manifest.totals.byCategory;
    const kept = c.critical.bytes + c.historical.bytes + c.optional.bytes + c.other.bytes;
    expect(kept / MiB).toBeGreaterThan(628);
    expect(kept / MiB).toBeLessThanOrEqual(629);
    expect(c.critical.files).toBe(4);
    expect(c.historical.files).toBe(2);
    expect(c.optional.files).toBe(4);
  });

  it('follows the report per-folder sizes', () => {
    const folder = (prefix: string) => manifest.entries.filter((e) => e.path.startsWith(prefix)).reduce((s, e) => s + e.bytes, 0);
    const gib: Array<[string, number]> = [['repro_quickstart', 21], ['repro_split456', 13], ['repro_split123', 5.9], ['repro_split222', 4.9], ['repro_split333', 5.0], ['repro_split444', 5.2], ['repro_split555', 5.8], ['repro_split789', 5.7], ['repro_split321', 4.0], ['repro_split456_rerun', 5.2], ['repro_tuned', 5.6], ['repro_tuned2', 5.2], ['repro_exact', 11], ['repro_exact_longpat', 4.5], ['repro', 22]];
    for (const [name, size] of gib) {
      const bytes = folder(`${name}/`);
      expect(bytes, name).toBeLessThanOrEqual(size * GiB);
      expect(bytes, name).toBeGreaterThan((size - 0.1) * GiB);
    }
    const mib: Array<[string, number]> = [['session10/exp1_dropout02/', 46], ['session10/exp3_hidden512/', 45], ['debug_runs/', 545], ['final_model.pt', 45], ['best_model_7.84px.pt', 45], ['session13/hierarchical/final_model.pt', 46]];
    for (const [name, size] of mib) {
      expect(folder(name), name).toBeLessThanOrEqual(size * MiB);
      expect(folder(name), name).toBeGreaterThan((size - 1) * MiB);
    }
    expect(folder('session10/exp5_lr1e5/')).toBeLessThanOrEqual(4096);
    expect(manifest.entries.filter((e) => e.path.startsWith('repro')).map((e) => e.path.split('/')[0])).toEqual(expect.arrayContaining(['repro_split111', 'repro_split666']));
  });

  it('costs under 50 MB of real disk', async () => {
    let disk = 0;
    for (const f of await walk(project)) disk += (await lstat(f.full)).blocks * 512;
    expect(disk).toBeLessThan(50 * 1e6);
    console.log(`demo generated in ${Math.round(generationMs)} ms; ${(disk / 1e6).toFixed(1)} MB on disk for ${(manifest.totals.bytes / GiB).toFixed(2)} GiB apparent`);
  });

  it('writes every .pt as a torch zip with correct CRCs', async () => {
    const pts = manifest.entries.filter((e) => e.path.endsWith('.pt'));
    expect(pts.length).toBeGreaterThan(1125);
    for (const e of pts) {
      const file = ckpt(e.path);
      const zip = await readZip(file);
      const stem = path.basename(e.path, '.pt');
      expect(zip.entries[0].name, e.path).toBe(`${stem}/data.pkl`);
      for (const z of zip.entries) {
        expect(z.name.startsWith(`${stem}/`)).toBe(true);
        if (/\/data\/\d+$/.test(z.name)) expect(z.crc32, z.name).toBe(crc32OfZeros(z.size));
        else expect(zlib.crc32(await readEntry(file, z)), z.name).toBe(z.crc32);
      }
    }
    // For a few files, read every byte of every entry.
    for (const rel of ['session10/ensemble/seed123/final_model.pt', 'repro_split111/session14/seed111/checkpoint_epoch2.pt', 'debug_runs/smoke_test/checkpoint_epoch1.pt']) {
      const zip = await readZip(ckpt(rel));
      for (const z of zip.entries) expect(await crcOfEntry(ckpt(rel), z), `${rel} ${z.name}`).toBe(z.crc32);
    }
  });

  it('stores the report metrics in the models', async () => {
    const px = async (rel: string) => {
      const zip = await readZip(ckpt(rel));
      const pkl = await readEntry(ckpt(rel), zip.entries[0]);
      const at = pkl.indexOf(Buffer.from('val_px'));
      expect(pkl[at + 6]).toBe(0x47); // BINFLOAT
      return pkl.readDoubleBE(at + 7);
    };
    expect(await px('session10/ensemble/seed456/final_model.pt')).toBe(4.04);
    expect(await px('session13/seed789/final_model.pt')).toBe(3.71);
    for (const rel of ['session10/ensemble/seed123/final_model.pt', 'session13/seed321/final_model.pt', 'repro_split111/session14/seed111/final_model.pt', 'repro_split666/session16/seed666/final_model.pt']) {
      const v = await px(rel);
      expect(v).toBeGreaterThanOrEqual(3.6);
      expect(v).toBeLessThanOrEqual(4.1);
      expect(entry(rel).category).toBe('critical');
    }
  });

  it('dates files as the report does, intermediates before their final in epoch order', () => {
    const day = (rel: string) => new Date(entry(rel).mtimeMs).toISOString().slice(0, 10);
    expect(day('session10/ensemble/seed123/final_model.pt')).toBe('2025-11-27');
    expect(day('session13/seed321/final_model.pt')).toBe('2025-11-28');
    expect(day('repro_split111/session14/seed111/final_model.pt')).toBe('2026-01-10');
    expect(day('repro_split666/session16/seed666/final_model.pt')).toBe('2026-01-11');
    expect(day('session10/ensemble/seed456/final_model.pt')).toBe('2025-11-27');
    expect(day('session13/seed789/final_model.pt')).toBe('2025-11-27');
    for (const e of manifest.entries) {
      expect(e.mtimeMs).toBeGreaterThanOrEqual(Date.parse('2025-10-20'));
      expect(e.mtimeMs).toBeLessThan(Date.parse('2026-01-21'));
    }
    const runs = new Map<string, Array<{ epoch: number; mtimeMs: number }>>();
    for (const e of manifest.entries) {
      const m = /^(.*)\/checkpoint_epoch(\d+)\.pt$/.exec(e.path);
      if (m) runs.set(m[1], [...(runs.get(m[1]) ?? []), { epoch: Number(m[2]), mtimeMs: e.mtimeMs }]);
    }
    for (const [run, list] of runs) {
      list.sort((a, b) => a.epoch - b.epoch);
      for (let i = 1; i < list.length; i++) expect(list[i].mtimeMs, run).toBeGreaterThan(list[i - 1].mtimeMs);
      const final = manifest.entries.find((e) => e.path === `${run}/final_model.pt`);
      if (final) expect(list[list.length - 1].mtimeMs, run).toBeLessThan(final.mtimeMs);
    }
  });

  it('writes the project files around checkpoints/', async () => {
    const config = JSON.parse(await readFile(path.join(project, 'configs/ensemble_best.json'), 'utf8'));
    expect(config.expected_px).toBe(3.61);
    expect(config.models).toHaveLength(4);
    for (const m of config.models) {
      expect((await stat(path.join(project, m))).isFile()).toBe(true);
      expect(entry(m.replace(/^checkpoints\//, '')).category).toBe('critical');
    }
    const truth = JSON.parse(await readFile(path.join(project, 'GROUND_TRUTH.json'), 'utf8'));
    expect(truth.ensemble_best.val_px).toBe(3.61);
    const quickstart = await readFile(path.join(project, 'scripts/quickstart_landmarks.sh'), 'utf8');
    const refs = quickstart.match(/checkpoints\/repro_quickstart\/\S+/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect((await stat(path.join(project, r))).isFile()).toBe(true);
    expect(await readFile(path.join(project, 'scripts/evaluate_ensemble_from_config.py'), 'utf8')).toMatch(/ensemble_best\.json/);
    expect(await readFile(path.join(project, 'README.md'), 'utf8')).toMatch(/[Gg]enerated/);
  });
});
