import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/temp.js';
import { BackupCatalog } from './read.js';
import { backupsContent, makeProject, putModel, SEED_MODELS, SEED_NAMES, sha256, sources, type TestProject } from './test-utils/project.js';
import { writeBackup, type WriteBackupOptions } from './writer.js';

const CHILD = fileURLToPath(new URL('./test-utils/backup-child.ts', import.meta.url));
const MB = 1024 * 1024;

function seedProject(bytes = 64 * 1024): TestProject & { data: Map<string, Buffer> } {
  const p = makeProject();
  const data = new Map(SEED_MODELS.map((m) => [m, putModel(p.root, m, bytes)]));
  return { ...p, data };
}

const opts = (p: TestProject, paths: readonly string[], more: Partial<WriteBackupOptions> = {}): WriteBackupOptions => ({
  project: p.project,
  root: p.root,
  rootFs: p.rootFs,
  files: sources(p.root, paths),
  ...more,
});

const catalogOf = (p: TestProject) => new BackupCatalog({ project: p.project, root: p.root });

describe('writeBackup', () => {
  it("backs up the seed's six models under flattened names, verified, readable by the system tar", async () => {
    const p = seedProject();
    mkdirSync(join(p.project, '.git'));
    const now = new Date(2026, 0, 20, 15, 30).getTime();
    const seen: number[] = [];
    const r = await writeBackup(opts(p, SEED_MODELS, { now, onProgress: (done) => seen.push(done) }));

    expect(r.file).toBe('checkpoints_backup_20260120.tar.gz');
    expect(backupsContent(p)).toEqual([r.file]);
    const archive = join(p.backups, r.file);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(r.bytes).toBe(statSync(archive).size);
    expect(r.manifest.files.map((f) => f.name)).toEqual(SEED_NAMES);
    for (const f of r.manifest.files) {
      expect(f.sha256).toBe(sha256(p.data.get(f.path)!));
      expect(f.size).toBe(64 * 1024);
    }
    expect(r.manifest).toMatchObject({ createdAt: now, source: { root: p.root, project: p.project } });
    expect(seen.at(-1)).toBe(2 * 6 * 64 * 1024);

    const tar = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8' });
    expect(tar.status).toBe(0);
    expect(tar.stdout.trim().split('\n')).toEqual([...SEED_NAMES, 'MANIFEST.json']);
    const manifest = spawnSync('tar', ['-xzOf', archive, 'MANIFEST.json'], { encoding: 'utf8' });
    expect(JSON.parse(manifest.stdout)).toEqual(r.manifest);
    const one = spawnSync('tar', ['-xzOf', archive, 'seed666_final.pt']);
    expect(sha256(one.stdout)).toBe(sha256(p.data.get(SEED_MODELS[3])!));

    // A git project ignores its backups, once.
    expect(r.gitignore).toBe('added');
    expect(readFileSync(join(p.project, '.gitignore'), 'utf8')).toBe('backups/\n');
    const again = await writeBackup(opts(p, SEED_MODELS.slice(0, 1), { now }));
    expect(again.file).toBe('checkpoints_backup_20260120_2.tar.gz');
    expect(again.gitignore).toBe('already');
    expect(readFileSync(join(p.project, '.gitignore'), 'utf8')).toBe('backups/\n');
  });

  it('appends to an existing .gitignore and leaves projects that are not git alone', async () => {
    const p = seedProject(1000);
    writeFileSync(join(p.project, '.git'), 'gitdir: ../elsewhere\n');
    writeFileSync(join(p.project, '.gitignore'), 'node_modules');
    expect((await writeBackup(opts(p, SEED_MODELS.slice(0, 1)))).gitignore).toBe('added');
    expect(readFileSync(join(p.project, '.gitignore'), 'utf8')).toBe('node_modules\nbackups/\n');
    const q = seedProject(1000);
    expect((await writeBackup(opts(q, SEED_MODELS.slice(0, 1)))).gitignore).toBe('not-git');
    expect(existsSync(join(q.project, '.gitignore'))).toBe(false);
  });

  it('names clashing models by the folders above them, then by a counter; long and non-ASCII names survive tar', async () => {
    const p = makeProject();
    const long = `${'run_with_a_very_long_descriptive_name_'.repeat(3)}/final_model.pt`;
    const paths = ['a/session10/seed1/final_model.pt', 'a/session13/seed1/final_model.pt', 'b/session13/seed1/final_model.pt', 'best_model.pt', 'x/MANIFEST.json', 'modèle_ü/final_model.pt', long];
    for (const m of paths) putModel(p.root, m, 100);
    const r = await writeBackup(opts(p, paths));
    const names = [
      'session10_seed1_final.pt',
      'a_session13_seed1_final.pt',
      'b_session13_seed1_final.pt',
      'best.pt',
      'x_MANIFEST.json',
      'modèle_ü_final.pt',
      `${'run_with_a_very_long_descriptive_name_'.repeat(3)}_final.pt`,
    ];
    expect(r.manifest.files.map((f) => f.name)).toEqual(names);
    const tar = spawnSync('tar', ['-tzf', join(p.backups, r.file)], { encoding: 'utf8' });
    expect(tar.stdout.trim().split('\n')).toEqual([...names, 'MANIFEST.json']);
  });

  it('fails cleanly when a source changes mid-backup: no .partial, nothing listed', async () => {
    const p = seedProject(3 * MB);
    let touched = false;
    const run = writeBackup(
      opts(p, SEED_MODELS, {
        onProgress: (done) => {
          if (!touched && done >= MB) {
            touched = true;
            // Appended to while being read, as a training run rewriting its checkpoint would.
            writeFileSync(join(p.root, SEED_MODELS[0]), 'more', { flag: 'a' });
          }
        },
      }),
    );
    await expect(run).rejects.toMatchObject({ statusCode: 409, code: 'CHANGED' });
    expect(backupsContent(p)).toEqual([]);
    expect(await catalogOf(p).list()).toEqual([]);
  });

  it('refuses a source that changed since it was listed, or is being written, before creating anything', async () => {
    const p = seedProject(1000);
    const files = sources(p.root, SEED_MODELS);
    writeFileSync(join(p.root, SEED_MODELS[2]), 'rewritten');
    await expect(writeBackup({ ...opts(p, []), files })).rejects.toMatchObject({ code: 'CHANGED' });
    await expect(writeBackup(opts(p, SEED_MODELS))).rejects.toMatchObject({ code: 'WRITING' });
    expect(existsSync(p.backups)).toBe(false);
  });

  it('cancel leaves nothing behind', async () => {
    const p = seedProject(3 * MB);
    const ac = new AbortController();
    const run = writeBackup(opts(p, SEED_MODELS, { signal: ac.signal, onProgress: (done) => done > 2 * MB && ac.abort() }));
    await expect(run).rejects.toThrow(/abort/i);
    expect(backupsContent(p)).toEqual([]);
  });

  it('a write error mid-way (the file-size limit, EFBIG) fails cleanly and removes the .partial', () => {
    const p = seedProject(2 * MB);
    // ulimit -f is in KiB: the archive of 12 MB of random bytes cannot fit in 4 MB.
    const r = spawnSync('bash', ['-c', 'ulimit -f 4096 && exec "$0" --import tsx "$1" "$2"', process.execPath, CHILD, JSON.stringify({ project: p.project, root: p.root, paths: SEED_MODELS })], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last.error).toMatchObject({ code: 'NO_SPACE', message: expect.stringContaining('EFBIG') });
    expect(backupsContent(p)).toEqual([]);
  });

  it('skips a name whose .partial exists (an unfinished backup) and removes .partial files left for an hour', async () => {
    const p = seedProject(1000);
    mkdirSync(p.backups);
    const now = new Date(2026, 0, 20).getTime();
    writeFileSync(join(p.backups, 'checkpoints_backup_20260120.tar.gz.partial'), 'someone else is writing this');
    const r = await writeBackup(opts(p, SEED_MODELS.slice(0, 1), { now }));
    expect(r.file).toBe('checkpoints_backup_20260120_2.tar.gz');
    expect(r.removedPartials).toEqual([]);
    expect(backupsContent(p)).toEqual(['checkpoints_backup_20260120.tar.gz.partial', 'checkpoints_backup_20260120_2.tar.gz']);
    // Untouched for two hours: what a killed backup left.
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(p.backups, 'checkpoints_backup_20260120.tar.gz.partial'), hoursAgo, hoursAgo);
    const later = await writeBackup(opts(p, SEED_MODELS.slice(0, 1), { now }));
    expect(later.removedPartials).toEqual(['checkpoints_backup_20260120.tar.gz.partial']);
    expect(later.file).toBe('checkpoints_backup_20260120.tar.gz');
  });

  it('refuses a backups folder that is a symlink, a file, or inside the root', async () => {
    const p = seedProject(1000);
    const elsewhere = tempDir();
    symlinkSync(elsewhere, p.backups);
    await expect(writeBackup(opts(p, SEED_MODELS))).rejects.toMatchObject({ statusCode: 409, code: 'SYMLINK' });
    expect(backupsContent({ ...p, backups: elsewhere })).toEqual([]);
    rmSync(p.backups);
    writeFileSync(p.backups, 'not a folder');
    await expect(writeBackup(opts(p, SEED_MODELS))).rejects.toMatchObject({ statusCode: 409, code: 'NOT_A_DIR' });
    // A project inside the root (the config refuses it at start; the writer checks again before any mkdir).
    const inner = join(p.root, 'session13');
    await expect(writeBackup({ ...opts(p, SEED_MODELS), project: inner })).rejects.toMatchObject({ code: 'BACKUPS_INSIDE_ROOT' });
    expect(existsSync(join(inner, 'backups'))).toBe(false);
  });
});
