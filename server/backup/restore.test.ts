import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/temp.js';
import { BackupCatalog } from './read.js';
import { restoreBackup, type RestoreOptions } from './restore.js';
import { craftArchive } from './test-utils/craft.js';
import { makeProject, putModel, SEED_MODELS, sha256, sources } from './test-utils/project.js';
import { writeBackup } from './writer.js';

async function backedUp() {
  const p = makeProject();
  const data = new Map(SEED_MODELS.map((m) => [m, putModel(p.root, m, 300_000)]));
  const mtimes = new Map(SEED_MODELS.map((m) => [m, statSync(join(p.root, m)).mtimeMs]));
  const r = await writeBackup({ project: p.project, root: p.root, rootFs: p.rootFs, files: sources(p.root, SEED_MODELS) });
  const catalog = new BackupCatalog({ project: p.project, root: p.root });
  const restore = (more: Partial<RestoreOptions> = {}) => restoreBackup({ catalog, rootFs: p.rootFs, name: r.file, ...more });
  return { ...p, data, mtimes, file: r.file, catalog, restore };
}

/** Every file under `dir`, relative, sorted (temp files included: none may be left). */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...tree(dir, p));
    else out.push(p);
  }
  return out.sort();
}

describe('restoreBackup', () => {
  it('puts every file back at its original path with its content and mtime, creating folders (replacing, when confirmed)', async () => {
    const b = await backedUp();
    rmSync(join(b.root, 'session10'), { recursive: true });
    rmSync(join(b.root, 'repro_split666'), { recursive: true });
    const seen: number[] = [];
    // Listed first, as the app does: the restore then takes the manifest from the listing.
    await b.catalog.list();
    const r = await b.restore({ overwrite: true, onProgress: (done) => seen.push(done) });
    expect(r.restored.map((f) => f.path)).toEqual(SEED_MODELS);
    expect(r.restored.filter((f) => f.replaced).map((f) => f.path)).toEqual([SEED_MODELS[1], SEED_MODELS[2], SEED_MODELS[5]]);
    for (const m of SEED_MODELS) {
      expect(sha256(readFileSync(join(b.root, m)))).toBe(sha256(b.data.get(m)!));
      expect(Math.abs(statSync(join(b.root, m)).mtimeMs - b.mtimes.get(m)!), m).toBeLessThan(0.01);
    }
    expect(seen.at(-1)).toBe(statSync(join(b.backups, b.file)).size);
    expect(tree(b.root)).toEqual([...SEED_MODELS].sort());
  });

  it('refuses to overwrite an existing file (409 EXISTS, nothing written) unless overwrite is confirmed', async () => {
    const b = await backedUp();
    const target = join(b.root, SEED_MODELS[0]);
    writeFileSync(target, 'newer training result');
    rmSync(join(b.root, SEED_MODELS[1]));
    await expect(b.restore()).rejects.toMatchObject({ statusCode: 409, code: 'EXISTS', details: { paths: SEED_MODELS.filter((m) => m !== SEED_MODELS[1]) } });
    // Nothing was written, not even the one that was missing.
    expect(existsSync(join(b.root, SEED_MODELS[1]))).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('newer training result');
    // One file, by its path or its archive name.
    const one = await b.restore({ files: [SEED_MODELS[1]] });
    expect(one.restored).toEqual([{ path: SEED_MODELS[1], name: 'seed321_final.pt', bytes: 300_000, replaced: false }]);
    await expect(b.restore({ files: ['seed123_final.pt'] })).rejects.toMatchObject({ code: 'EXISTS' });
    const over = await b.restore({ files: ['seed123_final.pt'], overwrite: true });
    expect(over.restored).toEqual([{ path: SEED_MODELS[0], name: 'seed123_final.pt', bytes: 300_000, replaced: true }]);
    expect(sha256(readFileSync(target))).toBe(sha256(b.data.get(SEED_MODELS[0])!));
    await expect(b.restore({ files: ['not/in/it.pt'] })).rejects.toMatchObject({ statusCode: 404, code: 'NOT_IN_BACKUP' });
    expect(tree(b.root)).toEqual([...SEED_MODELS].sort());
  });

  it('never writes through a symlink planted on the way or at the target', async () => {
    const b = await backedUp();
    const outside = tempDir();
    // The run folder swapped for a link to a folder outside the root.
    renameSync(join(b.root, 'session10/ensemble'), join(b.project, 'moved-away'));
    symlinkSync(outside, join(b.root, 'session10/ensemble'));
    await expect(b.restore({ files: [SEED_MODELS[0]], overwrite: true })).rejects.toMatchObject({ statusCode: 409, code: 'SYMLINK' });
    expect(readdirSync(outside)).toEqual([]);
    // The target itself a link (to a file outside): not followed, not replaced.
    rmSync(join(b.root, SEED_MODELS[1]));
    const victim = join(outside, 'victim.pt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(b.root, SEED_MODELS[1]));
    await expect(b.restore({ files: [SEED_MODELS[1]], overwrite: true })).rejects.toMatchObject({ code: 'SYMLINK' });
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(readdirSync(outside)).toEqual(['victim.pt']);
  });

  it('refuses a manifest with ../ or absolute paths, whole, and writes nothing anywhere', async () => {
    const p = makeProject();
    mkdirSync(p.backups);
    const catalog = new BackupCatalog({ project: p.project, root: p.root });
    const data = Buffer.from('weights');
    for (const [name, path] of [
      ['dotdot.tar.gz', '../escaped.pt'],
      ['abs.tar.gz', join(p.project, 'abs.pt')],
      ['inner.tar.gz', 'run/../../escaped.pt'],
      ['root.tar.gz', ''],
    ]) {
      await craftArchive(join(p.backups, name), [{ name: 'ok.pt', data }, { name: 'bad.pt', data }], {
        createdAt: 1,
        source: { root: p.root, project: p.project },
        files: [
          { name: 'ok.pt', path: 'run/ok.pt', size: data.length, mtimeMs: 1, sha256: sha256(data) },
          { name: 'bad.pt', path, size: data.length, mtimeMs: 1, sha256: sha256(data) },
        ],
      });
      await expect(restoreBackup({ catalog, rootFs: p.rootFs, name })).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_MANIFEST' });
      // Even restoring only the harmless file is refused: the archive is not to be trusted.
      await expect(restoreBackup({ catalog, rootFs: p.rootFs, name, files: ['run/ok.pt'] })).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    }
    expect(tree(p.root)).toEqual([]);
    expect(readdirSync(p.project).sort()).toEqual(['backups', 'checkpoints']);
  });

  it('a damaged archive or data that does not match the manifest restores nothing and leaves no temp file', async () => {
    const b = await backedUp();
    for (const m of SEED_MODELS) rmSync(join(b.root, m));
    const archive = join(b.backups, b.file);
    const gz = readFileSync(archive);
    gz[Math.floor(gz.length * 0.7)] ^= 0xff;
    writeFileSync(archive, gz);
    await expect(b.restore()).rejects.toMatchObject({ statusCode: 409, code: 'CORRUPT_BACKUP' });
    expect(tree(b.root)).toEqual([]);

    const data = Buffer.from('weights');
    await craftArchive(join(b.backups, 'lie.tar.gz'), [{ name: 'a.pt', data }], {
      createdAt: 1,
      source: { root: b.root, project: b.project },
      files: [{ name: 'a.pt', path: 'run/a.pt', size: data.length, mtimeMs: 1, sha256: '1'.repeat(64) }],
    });
    await expect(restoreBackup({ catalog: b.catalog, rootFs: b.rootFs, name: 'lie.tar.gz' })).rejects.toMatchObject({ code: 'CORRUPT_BACKUP' });
    // The folder was created for the temp file; the temp file itself is gone.
    expect(tree(b.root)).toEqual([]);
  });

  it('cancel leaves no temp file', async () => {
    const b = await backedUp();
    for (const m of SEED_MODELS) rmSync(join(b.root, m));
    const ac = new AbortController();
    await expect(b.restore({ signal: ac.signal, onProgress: (done) => done > 0 && ac.abort() })).rejects.toThrow(/abort/i);
    expect(tree(b.root)).toEqual([]);
  });
});
