import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectConsistent, onCleanup, put, scanned, snapshot, tempRoot } from './test-utils/trees.js';
import { walkHere } from './test-utils/walk-here.js';
import { listFolder } from './listing.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const asRoot = process.getuid?.() === 0;

describe('errors are recorded and the scan goes on', () => {
  it('records EACCES on an unreadable folder and skips it', async () => {
    const root = tempRoot();
    chmodSync(root, 0o755);
    put(root, 'open/model.pt', 300);
    put(root, 'locked/secret.pt', 5000);
    chmodSync(join(root, 'open'), 0o755);
    chmodSync(join(root, 'open/model.pt'), 0o644);
    chmodSync(join(root, 'locked'), 0o000);
    onCleanup(() => chmodSync(join(root, 'locked'), 0o755));
    let result: { summary: { errors: number; files: number; bytes: number }; entries: Record<string, { error?: string; children?: number } | null> };
    if (asRoot) {
      // chmod 000 does not stop root: the scan runs as "nobody" in a child process instead.
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'server/scan/test-utils/scan-cli.ts'), root, 'locked', 'locked/secret.pt'], {
        cwd: repo,
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(0);
      result = JSON.parse(r.stdout);
    } else {
      const s = await scanned(root);
      result = { summary: s.summary(), entries: { locked: s.entry('locked'), 'locked/secret.pt': s.entry('locked/secret.pt') } };
    }
    expect(result.entries.locked).toMatchObject({ error: 'EACCES', children: 0 });
    expect(result.entries['locked/secret.pt']).toBeNull();
    expect(result.summary).toMatchObject({ errors: 1, files: 1, bytes: 300 });
  });

  it('records ENOENT for a name that vanishes between readdir and lstat', () => {
    const root = tempRoot();
    put(root, 'run/vanish.pt', 100);
    put(root, 'run/stays.pt', 7);
    const ix = walkHere(root, (name, rel) => {
      if (name === 'vanish.pt') rmSync(join(root, rel));
      return false;
    });
    const page = listFolder(ix, 'run', { sort: 'name' })!;
    expect(page.entries.map((e) => [e.name, e.kind, e.error, e.bytes])).toEqual([
      ['stays.pt', 'file', undefined, 7],
      ['vanish.pt', 'other', 'ENOENT', 0],
    ]);
    expect(ix.errorCount).toBe(1);
    expect(listFolder(ix, '', {})!.entries[0]).toMatchObject({ name: 'run', bytes: 7, files: 1 });
  });

  it('records ENOTDIR when a folder is replaced by a file, and ELOOP when replaced by a symlink, mid-walk', () => {
    for (const replacement of ['file', 'symlink'] as const) {
      const root = tempRoot();
      put(root, 'first/a.pt', 1);
      put(root, 'second/b.pt', 2);
      put(root, 'elsewhere/c.pt', 1000);
      let swapped = false;
      const ix = walkHere(root, (_name, rel) => {
        const top = rel.split('/')[0];
        if (!swapped && rel.includes('/') && (top === 'first' || top === 'second')) {
          // The other folder was already lstat'ed and queued: swap it before it is listed.
          swapped = true;
          const other = join(root, top === 'first' ? 'second' : 'first');
          rmSync(other, { recursive: true });
          if (replacement === 'file') writeFileSync(other, 'now a file');
          else symlinkSync(join(root, 'elsewhere'), other);
        }
        return false;
      });
      const entries = listFolder(ix, '', { sort: 'name' })!.entries;
      const victim = entries.find((e) => e.error !== undefined)!;
      expect(victim).toMatchObject({ kind: 'dir', error: replacement === 'file' ? 'ENOTDIR' : 'ELOOP', children: 0, bytes: 0 });
      // Never followed: the link target's file is counted once, under "elsewhere".
      expect(listFolder(ix, '', {})!.entries.reduce((n, e) => n + e.files, 0)).toBe(2);
      expect(ix.errorCount).toBe(1);
    }
  });

  it('survives files being deleted while it scans, with consistent totals', async () => {
    const root = tempRoot();
    for (let d = 0; d < 20; d++) for (let f = 0; f < 400; f++) put(root, `churn${d}/f${f}.pt`, f);
    put(root, 'stable/keep.pt', 123);
    // A child process deletes and recreates files as fast as it can during the scans.
    const churn = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const root = process.argv[1]; const end = Date.now() + 20000;
         fs.writeFileSync(root + '/churning', '');
         for (let i = 0; Date.now() < end; i++) { const d = root + '/churn' + (i % 20);
           for (let f = 0; f < 400; f++) { try { fs.unlinkSync(d + '/f' + f + '.pt'); } catch {} }
           for (let f = 0; f < 400; f++) fs.writeFileSync(d + '/f' + f + '.pt', 'x'); }`,
        root,
      ],
      { stdio: 'ignore' },
    );
    onCleanup(() => churn.kill('SIGKILL'));
    while (!existsSync(join(root, 'churning'))) await new Promise((r) => setTimeout(r, 5));
    let vanished = 0;
    for (let run = 0; run < 6; run++) {
      const s = await scanned(root, { workers: 2 });
      expectConsistent(s);
      expect(s.entry('stable/keep.pt')).toMatchObject({ bytes: 123 });
      vanished += s.summary().errors;
    }
    churn.kill('SIGKILL');
    await new Promise((r) => churn.once('exit', r));
    // After the storm, merging a rescan into a stale index gives exactly a fresh scan.
    const stale = await scanned(root);
    for (let d = 0; d < 5; d++) rmSync(join(root, `churn${d}`), { recursive: true });
    await stale.rescanSubtree('');
    expect(snapshot(stale)).toEqual(snapshot(await scanned(root)));
    console.log(`ENOENT races recorded over 6 scans: ${vanished}`);
  });

  it('lists names that are not UTF-8 with escaped bytes, counts them, and never resolves them by path', async () => {
    const root = tempRoot();
    const at = (...parts: Buffer[]) => Buffer.concat([Buffer.from(`${root}/holder/`), ...parts]);
    mkdirSync(join(root, 'holder'));
    writeFileSync(at(Buffer.from([0x66, 0xff, 0x2e, 0x70, 0x74])), Buffer.alloc(1234));
    mkdirSync(at(Buffer.from([0x64, 0xfe])));
    writeFileSync(at(Buffer.from([0x64, 0xfe]), Buffer.from('/inner.pt')), Buffer.alloc(10));
    // A real, valid name that reads exactly like the escaped one.
    writeFileSync(join(root, 'holder', 'f\\xff.pt'), 'hello');
    put(root, 'other.pt', 1);
    const s = await scanned(root);
    const names = s.list('holder', { sort: 'name' })!.entries.map((e) => [e.name, e.kind, e.bytes]);
    expect(names).toEqual([
      ['d\\xfe', 'dir', 10],
      ['f\\xff.pt', 'file', 1234],
      ['f\\xff.pt', 'file', 5],
    ]);
    expect(s.entry('holder')).toMatchObject({ bytes: 1249, files: 3 });
    // Ambiguous or not UTF-8: no path lookup resolves, so nothing can act on the wrong file.
    expect(s.entry('holder/f\\xff.pt')).toBeNull();
    expect(s.entry('holder/d\\xfe')).toBeNull();
    expect(s.list('holder/d\\xfe')).toBeNull();
    expect(s.entry('holder/d\\xfe/inner.pt')).toBeNull();
    expect(s.entry('holder/\uD800')).toBeNull();
    // Deleted with their folder.
    rmSync(join(root, 'holder'), { recursive: true });
    await s.applyPath('holder');
    expect(s.summary()).toMatchObject({ files: 1, bytes: 1, entries: 1 });
  });

  it('lists another filesystem but does not enter it (like du -x)', async () => {
    const root = tempRoot();
    put(root, 'model.pt', 10);
    const mnt = join(root, 'mnt');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { encoding: 'utf8' }).status === 0;
    if (!mounted) {
      console.warn('cannot mount a tmpfs here: the other-filesystem assertion is skipped');
      return;
    }
    onCleanup(() => spawnSync('umount', ['-l', mnt]));
    put(root, 'mnt/hidden.pt', 100_000);
    expect(readdirSync(mnt)).toEqual(['hidden.pt']);
    const s = await scanned(root);
    expect(s.entry('mnt')).toMatchObject({ kind: 'dir', error: 'EXDEV', children: 0, bytes: 0, files: 0 });
    expect(s.entry('mnt/hidden.pt')).toBeNull();
    expect(s.summary()).toMatchObject({ files: 1, bytes: 10, errors: 0 });
    expect(s.list('', { tag: 'error' })!.entries.map((e) => e.name)).toEqual(['mnt']);
    // A rescan of the mount point does not enter it either.
    await s.rescanSubtree('mnt');
    expect(s.entry('mnt')).toMatchObject({ children: 0 });
    expect(existsSync(join(mnt, 'hidden.pt'))).toBe(true);
  });
});
