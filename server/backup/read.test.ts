import { closeSync, mkdirSync, openSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupCatalog } from './read.js';
import { craftArchive } from './test-utils/craft.js';
import { makeProject, putModel, SEED_MODELS, SEED_NAMES, sha256, sources } from './test-utils/project.js';
import { writeBackup } from './writer.js';

async function withBackup() {
  const p = makeProject();
  for (const m of SEED_MODELS) putModel(p.root, m, 200_000);
  const r = await writeBackup({ project: p.project, root: p.root, rootFs: p.rootFs, files: sources(p.root, SEED_MODELS) });
  return { ...p, file: r.file, archive: join(p.backups, r.file), catalog: new BackupCatalog({ project: p.project, root: p.root }) };
}

/** Flips one byte in the middle of a file, as a bad disk sector would. */
function flipByte(file: string, at = Math.floor(statSync(file).size / 2)): void {
  const buf = readFileSync(file);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([buf[at] ^ 0xff]), 0, 1, at);
  closeSync(fd);
}

describe('listing backups', () => {
  it('lists every archive with its contents; never a .partial; an archive that is not ours or broken with its error', async () => {
    const b = await withBackup();
    writeFileSync(join(b.backups, 'checkpoints_backup_20990101.tar.gz.partial'), 'half');
    writeFileSync(join(b.backups, 'notes.txt'), 'not an archive');
    await craftArchive(join(b.backups, 'handmade.tar.gz'), [{ name: 'seed123_final.pt', data: 'x' }]);
    writeFileSync(join(b.backups, 'garbage.tar.gz'), 'definitely not gzip');
    symlinkSync('/etc/hostname', join(b.backups, 'link.tar.gz'));

    const items = await b.catalog.list();
    const byName = new Map(items.map((i) => [i.name, i]));
    expect([...byName.keys()].sort()).toEqual([b.file, 'garbage.tar.gz', 'handmade.tar.gz', 'link.tar.gz'].sort());
    const ours = byName.get(b.file)!;
    expect(ours).toMatchObject({ bytes: statSync(b.archive).size, mtimeMs: Math.round(statSync(b.archive).mtimeMs) });
    expect(ours.error).toBeUndefined();
    expect(ours.files.map((f) => f.name)).toEqual(SEED_NAMES);
    expect(ours.files[0]).toEqual({ name: 'seed123_final.pt', path: SEED_MODELS[0], size: 200_000, mtimeMs: expect.any(Number), sha256: sha256(readFileSync(join(b.root, SEED_MODELS[0]))) });
    expect(byName.get('handmade.tar.gz')).toMatchObject({ files: [], error: 'no MANIFEST.json in the archive' });
    expect(byName.get('garbage.tar.gz')!.error).toMatch(/not a complete tar.gz archive/);
    expect(byName.get('link.tar.gz')).toMatchObject({ files: [], error: 'a symlink: not followed' });
  });

  it('a missing backups folder lists nothing, and nothing is created by looking', async () => {
    const p = makeProject();
    expect(await new BackupCatalog({ project: p.project, root: p.root }).list()).toEqual([]);
    expect(() => statSync(p.backups)).toThrow();
  });

  it('reads an archive once per file state', async () => {
    const b = await withBackup();
    const first = await b.catalog.list();
    // Same inode, same size, same mtime: the cached manifest is used, so damage made meanwhile is not seen…
    expect((await b.catalog.list())[0].files).toHaveLength(6);
    // …until the file changes, which a byte flip through write(2) does (mtime and ctime move).
    flipByte(b.archive);
    const after = await b.catalog.list();
    expect(first[0].error).toBeUndefined();
    expect(after[0].error).toBeDefined();
  });
});

describe('verifyBackup', () => {
  it('re-hashes every entry against the manifest, with progress', async () => {
    const b = await withBackup();
    const seen: number[] = [];
    const r = await b.catalog.verify(b.file, { onProgress: (done) => seen.push(done) });
    expect(r).toMatchObject({ name: b.file, ok: true, files: 6, problems: [], bytes: statSync(b.archive).size });
    expect(seen.at(-1)).toBe(statSync(b.archive).size);
  });

  it('reports a damaged archive, one whose data does not match its manifest, and unsafe manifest paths', async () => {
    const b = await withBackup();
    flipByte(b.archive);
    const r = await b.catalog.verify(b.file);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/not a complete tar.gz archive|sha256|ends early/);

    const lie = join(b.backups, 'lie.tar.gz');
    await craftArchive(lie, [{ name: 'a.pt', data: 'abc' }], {
      createdAt: 1,
      source: { root: '/r', project: '/p' },
      files: [{ name: 'a.pt', path: 'run/a.pt', size: 3, mtimeMs: 1, sha256: '0'.repeat(64) }],
    });
    expect((await b.catalog.verify('lie.tar.gz')).problems).toEqual(['a.pt: sha256 differs from the manifest']);

    const evil = join(b.backups, 'evil.tar.gz');
    await craftArchive(evil, [{ name: 'a.pt', data: 'abc' }], {
      createdAt: 1,
      source: { root: '/r', project: '/p' },
      files: [{ name: 'a.pt', path: '../../outside.pt', size: 3, mtimeMs: 1, sha256: sha256(Buffer.from('abc')) }],
    });
    expect((await b.catalog.verify('evil.tar.gz')).problems).toEqual(['unsafe path in the manifest: "../../outside.pt"']);

    const links = join(b.backups, 'links.tar.gz');
    await craftArchive(links, [{ name: 'a.pt', data: '/etc/passwd', type: 'symlink' }]);
    expect((await b.catalog.verify('links.tar.gz')).problems).toEqual(['a.pt is a symlink, not a file']);
  });

  it('refuses names that are not backup file names', async () => {
    const b = await withBackup();
    mkdirSync(join(b.project, 'other'));
    for (const name of ['../other/x.tar.gz', 'x.tar.gz.partial', '.hidden.tar.gz', 'x.zip']) {
      await expect(b.catalog.verify(name)).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_NAME' });
    }
    await expect(b.catalog.verify('nope.tar.gz')).rejects.toMatchObject({ statusCode: 404 });
  });
});
