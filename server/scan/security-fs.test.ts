// Hostile filesystems under the root, end to end through the API: hard
// links, odd and maximal names, very deep trees, links that loop or lead
// outside, unreadable parts, files and the root itself vanishing while the
// server runs. Every case checks what GET /api/tree shows, that folder
// totals add up, and what POST /api/deletions does with it.
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../shared/schemas/entry.js';
import type { TreePage } from '../../shared/schemas/api.js';
import { auth, testApp, testConfig } from '../test-utils/app.js';
import { ageTree, apiOf, nextEvent, until, type ApiClient } from '../test-utils/api-client.js';
import { tempDir } from '../test-utils/temp.js';

const MiB = 1024 * 1024;
const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const asRoot = process.getuid?.() === 0;

/** Writes `size` bytes (real data, so on-disk sizes are real too). */
function put(root: string | Buffer, rel: string | Buffer, size: number): void {
  const p = Buffer.isBuffer(root) || Buffer.isBuffer(rel) ? Buffer.concat([Buffer.from(root), Buffer.from('/'), Buffer.from(rel)]) : join(root, rel);
  if (!Buffer.isBuffer(p)) mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, Buffer.alloc(size, 0x5a));
}

/** The app over a tree built by `build`, aged, fully scanned, models and references read. */
async function served(
  build: (root: string, project: string) => void,
  afterAging?: (root: string) => void,
): Promise<{ app: FastifyInstance; api: ApiClient; root: string; project: string }> {
  const config = testConfig();
  build(config.root, config.project);
  ageTree(config.root);
  afterAging?.(config.root);
  const app = await testApp(config);
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  return { app, api: apiOf(app), root: config.root, project: config.project };
}

async function page(api: ApiClient, path: string): Promise<TreePage> {
  const res = await api.tree(path);
  expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  return res.json();
}

async function entryOf(api: ApiClient, path: string): Promise<Entry> {
  const res = await api.entry(path);
  expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  return res.json();
}

/** Every listed folder's bytes, disk bytes and file count equal what its children add (hard links tagged `hardlink` add nothing). */
async function expectTotalsAddUp(api: ApiClient, path = ''): Promise<void> {
  const self = await entryOf(api, path);
  const { entries, total } = await page(api, path);
  expect(entries.length).toBe(total);
  const sum = { bytes: 0, diskBytes: 0, files: 0 };
  for (const e of entries) {
    if (e.kind === 'dir' || !e.tags.includes('hardlink')) {
      sum.bytes += e.bytes;
      sum.diskBytes += e.diskBytes;
      sum.files += e.files;
    }
    // Only addressable folders can be listed on their own; the rest is covered by their parent's sums.
    if (e.kind === 'dir' && (await api.entry(e.path)).statusCode === 200) await expectTotalsAddUp(api, e.path);
  }
  expect({ path, bytes: self.bytes, diskBytes: self.diskBytes, files: self.files }).toEqual({ path, ...sum });
}

/** What is on disk, by an lstat walk with raw names (each inode once, links never followed). */
function diskTotals(root: string): { files: number; dirs: number; bytes: number; diskBytes: number } {
  const seen = new Set<string>();
  const t = { files: 0, dirs: 0, bytes: 0, diskBytes: 0 };
  const walk = (dir: Buffer): void => {
    for (const name of readdirSync(dir, { encoding: 'buffer' })) {
      const p = Buffer.concat([dir, Buffer.from('/'), name]);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        t.dirs++;
        walk(p);
        continue;
      }
      if (seen.has(`${st.dev}:${st.ino}`)) continue;
      seen.add(`${st.dev}:${st.ino}`);
      t.bytes += st.size;
      t.diskBytes += st.blocks * 512;
      if (st.isFile()) t.files++;
    }
  };
  walk(Buffer.from(root));
  return t;
}

/** The summary's totals equal an independent lstat walk of the root (each inode once, links not followed). */
async function expectSummaryMatchesDisk(api: ApiClient, root: string): Promise<void> {
  const disk = diskTotals(root);
  const s = (await api.summary()).json();
  expect(s.totals).toEqual({ files: disk.files, dirs: disk.dirs, bytes: disk.bytes, diskBytes: disk.diskBytes });
}

describe('hard links', () => {
  it('are sized once, charged to the first path; deleting a link frees 0 until the last one goes', async () => {
    const { api, root, project } = await served((root, project) => {
      put(root, 'links/a/w.dat', MiB);
      mkdirSync(join(root, 'links/b'));
      mkdirSync(join(root, 'links/c'));
      linkSync(join(root, 'links/a/w.dat'), join(root, 'links/b/w2.dat'));
      linkSync(join(root, 'links/a/w.dat'), join(root, 'links/c/w3.dat'));
      // A link whose other name lies outside the root: deleting the inside name frees nothing.
      put(project, 'outside.dat', 3 * MiB);
      linkSync(join(project, 'outside.dat'), join(root, 'inlink.dat'));
    });
    const links = await page(api, 'links');
    expect(links.entries.map((e) => [e.name, e.bytes, e.files])).toEqual([
      ['a', MiB, 1],
      ['b', 0, 0],
      ['c', 0, 0],
    ]);
    expect((await entryOf(api, 'links/b/w2.dat')).tags).toContain('hardlink');
    expect((await entryOf(api, 'links/a/w.dat')).tags).not.toContain('hardlink');
    await expectTotalsAddUp(api);
    await expectSummaryMatchesDisk(api, root);
    expect((await api.summary()).json().tags.hardlink).toEqual({ count: 2, bytes: 2 * MiB });

    // A second name: gone, nothing freed, the data still there under the first.
    let res = await api.del('links/b/w2.dat');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ freedBytes: 0, freedDiskBytes: 0, deletedFiles: 1 });
    expect(existsSync(join(root, 'links/b/w2.dat'))).toBe(false);
    // The charged name: nothing freed either, and the charge moves to the remaining link.
    res = await api.del('links/a/w.dat');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ freedBytes: 0, freedDiskBytes: 0, deletedFiles: 1 });
    const c = await entryOf(api, 'links/c/w3.dat');
    expect(c.bytes).toBe(MiB);
    expect(c.tags).not.toContain('hardlink');
    expect((await entryOf(api, 'links/c')).bytes).toBe(MiB);
    await expectTotalsAddUp(api);
    await expectSummaryMatchesDisk(api, root);
    // The last name frees the data.
    res = await api.del('links/c/w3.dat');
    expect(res.json()).toMatchObject({ freedBytes: MiB, deletedFiles: 1 });
    expect(res.json().freedDiskBytes).toBeGreaterThanOrEqual(MiB);

    res = await api.del('inlink.dat');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ freedBytes: 0, freedDiskBytes: 0, deletedFiles: 1 });
    expect(readFileSync(join(project, 'outside.dat')).length).toBe(3 * MiB);
    await expectSummaryMatchesDisk(api, root);
  });
});

describe('names', () => {
  const odd = [
    'with space.dat',
    '  leading and trailing  ',
    'new\nline.dat',
    'carriage\rreturn.dat',
    'tab\there.dat',
    'double"quote.dat',
    "single'quote.dat",
    'back\\slash.dat',
    '..\\..\\escape.dat',
    'percent%2F%2e%2e and+plus&x=1#frag?.dat',
    '-starts-with-dash.dat',
    '..dots..',
    '~',
    '$(touch pwned)`x`;|&.dat',
    'rtl\u202etxt.pt',
    'e\u0301 combining.dat',
  ];

  it('with spaces, newlines, quotes, backslashes and shell characters are listed, sized and deleted by their exact name', async () => {
    const { api, root } = await served((root) => {
      odd.forEach((name, i) => put(root, `odd/${name}`, 100 * (i + 1)));
      // Decoys a mis-parsed name could hit: the backslash is a name character, never a separator.
      put(root, 'back/slash.dat', 7);
      put(root, 'odd/with', 9);
    });
    const names = (await page(api, 'odd')).entries.map((e) => e.name).sort();
    expect(names).toEqual([...odd, 'with'].sort());
    for (const [i, name] of odd.entries()) {
      expect((await entryOf(api, `odd/${name}`)).bytes, JSON.stringify(name)).toBe(100 * (i + 1));
    }
    expect((await entryOf(api, 'odd')).bytes).toBe((100 * odd.length * (odd.length + 1)) / 2 + 9);
    await expectTotalsAddUp(api);
    await expectSummaryMatchesDisk(api, root);

    for (const [i, name] of odd.entries()) {
      const e = await entryOf(api, `odd/${name}`);
      const res = await api.del(`odd/${name}`, e.etag);
      expect(res.statusCode, `${JSON.stringify(name)}: ${res.body}`).toBe(200);
      expect(res.json()).toMatchObject({ path: `odd/${name}`, freedBytes: 100 * (i + 1), deletedFiles: 1 });
      expect(existsSync(join(root, 'odd', name)), JSON.stringify(name)).toBe(false);
    }
    expect((await page(api, 'odd')).entries.map((e) => e.name)).toEqual(['with']);
    expect(readFileSync(join(root, 'back/slash.dat')).length).toBe(7);
    expect((await entryOf(api, 'odd')).bytes).toBe(9);
    await expectSummaryMatchesDisk(api, root);
  });

  it('that are not UTF-8 are listed escaped and sized, are not addressable alone, and go with their folder', async () => {
    const raw = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    const { api, root } = await served((root) => {
      mkdirSync(join(root, 'bytes'));
      put(root, raw('bytes/f', [0xff], '.dat'), 1000);
      mkdirSync(raw(root, '/bytes/d', [0xc3, 0x28]));
      put(root, raw('bytes/d', [0xc3, 0x28], '/inner.dat'), 2000);
      // A real, valid name that reads exactly like the escaped one.
      put(root, 'bytes/f\\xff.dat', 30);
      put(root, 'keep.dat', 5);
    });
    const listed = (await page(api, 'bytes')).entries.map((e) => [e.name, e.kind, e.bytes, e.files]);
    expect(listed).toEqual([
      ['d\\xc3(', 'dir', 2000, 1],
      ['f\\xff.dat', 'file', 1000, 1],
      ['f\\xff.dat', 'file', 30, 1],
    ]);
    expect(await entryOf(api, 'bytes')).toMatchObject({ bytes: 3030, files: 3 });
    await expectSummaryMatchesDisk(api, root);
    // The escaped spelling is ambiguous: no lookup resolves it, so nothing can be deleted by it.
    for (const p of ['bytes/f\\xff.dat', 'bytes/d\\xc3(', 'bytes/d\\xc3(/inner.dat']) {
      expect((await api.entry(p)).statusCode, p).toBe(404);
      expect((await api.tree(p)).statusCode, p).toBe(404);
      expect((await api.del(p)).statusCode, p).toBe(404);
    }
    expect(readFileSync(join(root, 'bytes/f\\xff.dat')).length).toBe(30);
    const res = await api.del('bytes', (await entryOf(api, 'bytes')).etag);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ freedBytes: 3030, deletedFiles: 3 });
    expect(existsSync(join(root, 'bytes'))).toBe(false);
    expect((await api.summary()).json().totals).toMatchObject({ files: 1, bytes: 5 });
  });

  it('of exactly 255 bytes (NAME_MAX), ASCII and multi-byte UTF-8, nested in each other, are listed, sized and deleted', async () => {
    const names = [
      'a'.repeat(251) + '.dat',
      'é'.repeat(127) + 'x', // 2-byte characters
      '日'.repeat(85), // 3-byte characters
      '😀'.repeat(63) + 'abc', // 4-byte characters (surrogate pairs in JavaScript)
    ];
    for (const n of names) expect(Buffer.byteLength(n)).toBe(255);
    const dir = 'ü'.repeat(127) + 'd'; // a 255-byte folder name holding 255-byte names
    const { api, root } = await served((root) => {
      names.forEach((n, i) => put(root, `${dir}/${n}`, 1000 * (i + 1)));
      put(root, names[0], 1);
    });
    expect(() => writeFileSync(join(root, 'a'.repeat(256)), '')).toThrow(/ENAMETOOLONG/);
    expect((await page(api, dir)).entries.map((e) => e.name).sort()).toEqual([...names].sort());
    expect(await entryOf(api, dir)).toMatchObject({ bytes: 10_000, files: 4 });
    await expectTotalsAddUp(api);
    await expectSummaryMatchesDisk(api, root);
    for (const [i, n] of names.entries()) {
      const res = await api.del(`${dir}/${n}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ freedBytes: 1000 * (i + 1), deletedFiles: 1 });
    }
    expect(await entryOf(api, dir)).toMatchObject({ bytes: 0, files: 0 });
    expect((await api.del(dir)).statusCode).toBe(200);
    expect(readFileSync(join(root, names[0])).length).toBe(1);
    await expectSummaryMatchesDisk(api, root);
  });
});

describe('deep trees', () => {
  it('1,000 nested folders are listed at every depth, summed, and deleted through descriptors', async () => {
    const chain = Array.from({ length: 1000 }, () => 'd');
    const deepest = `deep/${chain.join('/')}`;
    const middle = `deep/${chain.slice(0, 500).join('/')}`;
    const { app, api, root } = await served((root) => {
      mkdirSync(join(root, deepest), { recursive: true });
      put(root, `${deepest}/leaf.dat`, 4096);
      put(root, `${middle}/mid.dat`, 100);
      put(root, 'shallow.dat', 1);
    });
    expect(deepest.length).toBeGreaterThan(2000);
    expect((await page(api, deepest)).entries.map((e) => [e.name, e.bytes])).toEqual([['leaf.dat', 4096]]);
    expect(await entryOf(api, 'deep')).toMatchObject({ kind: 'dir', bytes: 4196, files: 2, children: 1 });
    expect(await entryOf(api, middle)).toMatchObject({ bytes: 4196, files: 2 });
    expect(await entryOf(api, `${middle}/d`)).toMatchObject({ bytes: 4096, files: 1 });
    await expectSummaryMatchesDisk(api, root);
    expect((await api.summary()).json().totals.dirs).toBe(1001);

    // The same listing over a real socket: the encoded path fits the HTTP request line.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address() as { port: number };
    const url = `http://127.0.0.1:${addr.port}/api/tree?${new URLSearchParams({ path: deepest })}`;
    const real = await fetch(url, { headers: auth });
    expect(real.status).toBe(200);
    expect(((await real.json()) as TreePage).entries[0].name).toBe('leaf.dat');

    let res = await api.del(`${deepest}/leaf.dat`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ freedBytes: 4096, deletedFiles: 1 });
    res = await api.del('deep', (await entryOf(api, 'deep')).etag);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ freedBytes: 100, deletedFiles: 1 });
    expect(existsSync(join(root, 'deep'))).toBe(false);
    expect((await api.summary()).json().totals).toMatchObject({ files: 1, dirs: 0, bytes: 1 });
  });

  it('a chain longer than PATH_MAX: the scan stops where paths get too long, records why, and deleting it removes nothing', async () => {
    // Made and removed relative to the current folder (a child process can chdir): 1,000 levels of 4-byte names is 5,000 bytes of path.
    const chain = (root: string, script: string) => {
      const r = spawnSync(process.execPath, ['-e', `const fs = require('fs'); process.chdir(process.argv[1]); ${script}`, join(root, 'long')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    };
    let root = '';
    try {
      const { api } = await served(
        (r) => {
          root = r;
          put(r, 'shallow.dat', 1);
          mkdirSync(join(r, 'long'));
        },
        (r) =>
          chain(
            r,
            `const old = new Date(Date.now() - 864e6);
             for (let i = 0; i < 1000; i++) { fs.mkdirSync('dddd'); process.chdir('dddd'); }
             fs.writeFileSync('leaf.dat', 'x'.repeat(10)); fs.utimesSync('leaf.dat', old, old);
             for (let i = 0; i < 1000; i++) { process.chdir('..'); fs.utimesSync('dddd', old, old); }`,
          ),
      );
      const s = (await api.summary()).json();
      expect(s.scan.state).toBe('ready');
      expect(s.totals.files).toBe(1);
      // The deepest folder the API knows (a binary search over the depth) is where the walk had to stop, and says why.
      const at = (depth: number) => ['long', ...Array.from({ length: depth }, () => 'dddd')].join('/');
      let lo = 0;
      let hi = 1000;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if ((await api.entry(at(mid))).statusCode === 200) lo = mid;
        else hi = mid - 1;
      }
      expect(lo).toBeGreaterThan(700);
      // Listed by its folder, but its own lstat failed: an entry with the error and nothing counted.
      expect(await entryOf(api, at(lo))).toMatchObject({ error: 'ENAMETOOLONG', bytes: 0, files: 0 });
      expect(await entryOf(api, at(lo - 1))).toMatchObject({ kind: 'dir', children: 1 });
      expect(s.scan.errors).toBe(1);
      const res = await api.del('long');
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.message).toMatch(/nothing was deleted/);
      expect(existsSync(join(root, 'long/dddd/dddd/dddd'))).toBe(true);
      expect((await api.summary()).json().totals).toMatchObject({ files: 1, bytes: 1 });
    } finally {
      // rm -r works with whole paths and cannot remove this: undo it the way it was made.
      if (root !== '' && existsSync(join(root, 'long'))) {
        chain(root, `let n = 0; while (fs.existsSync('dddd')) { process.chdir('dddd'); n++; }
                     fs.rmSync('leaf.dat', { force: true }); for (; n > 0; n--) { process.chdir('..'); fs.rmdirSync('dddd'); }`);
      }
    }
  });
});

describe('symlinks inside the root', () => {
  it('loops and dangling links end the scan, are shown as links, never followed, and nothing outside is listed or sized', async () => {
    const { api, root, project } = await served((root, project) => {
      put(project, 'outside/secret.pt', 5 * MiB);
      put(root, 'run/model.dat', 10);
      symlinkSync('loop-b', join(root, 'loop-a'));
      symlinkSync('loop-a', join(root, 'loop-b'));
      symlinkSync('self', join(root, 'self'));
      symlinkSync('.', join(root, 'here'));
      symlinkSync('..', join(root, 'up'));
      symlinkSync('/', join(root, 'slash'));
      symlinkSync('../run', join(root, 'run/back'));
      symlinkSync('nowhere/at/all.pt', join(root, 'dangling.pt'));
      symlinkSync(join(project, 'outside'), join(root, 'run/outside-dir'));
      symlinkSync(join(project, 'outside/secret.pt'), join(root, 'run/secret.pt'));
    });
    const top = (await page(api, '')).entries;
    const links = ['dangling.pt', 'here', 'loop-a', 'loop-b', 'self', 'slash', 'up'];
    expect(top.filter((e) => e.kind === 'symlink').map((e) => e.name)).toEqual(links);
    for (const e of top.filter((x) => x.kind === 'symlink')) {
      expect(e.files, e.name).toBe(0);
      // A link's own size is its target's length, never what it points to.
      expect(e.bytes, e.name).toBeLessThan(100);
    }
    expect(await entryOf(api, 'dangling.pt')).toMatchObject({ kind: 'symlink', target: 'nowhere/at/all.pt' });
    expect(await entryOf(api, 'run/secret.pt')).toMatchObject({ kind: 'symlink', files: 0 });
    expect(await entryOf(api, 'run')).toMatchObject({ files: 1 });
    await expectTotalsAddUp(api);
    await expectSummaryMatchesDisk(api, root);
    expect((await api.summary()).json().totals.files).toBe(1);
    // Nothing is reachable through a link: not as a folder, not as an entry, not as a model.
    for (const p of ['here', 'up', 'slash', 'loop-a', 'run/back', 'run/outside-dir']) expect((await api.tree(p)).statusCode, p).toBe(404);
    for (const p of ['here/run', 'up/outside/secret.pt', 'slash/etc/passwd', 'run/back/model.dat', 'run/outside-dir/secret.pt']) {
      expect((await api.entry(p)).statusCode, p).toBe(404);
      expect((await api.del(p)).statusCode, p).toBe(404);
    }
    const models = (await api.checkpoints()).json().items.map((c: { path: string }) => c.path);
    expect(models).not.toContain('run/secret.pt');
    expect(models).not.toContain('dangling.pt');
    expect(JSON.stringify((await api.get('/api/tree?path=run&limit=5000')).json())).not.toContain(String(5 * MiB));

    // Deleting a link removes the link only.
    for (const p of ['up', 'slash', 'here', 'loop-a', 'run/outside-dir', 'run/secret.pt', 'run/back', 'dangling.pt']) {
      const res = await api.del(p);
      expect(res.statusCode, `${p}: ${res.body}`).toBe(200);
      expect(res.json().deletedFiles, p).toBe(0);
    }
    expect(readFileSync(join(project, 'outside/secret.pt')).length).toBe(5 * MiB);
    expect(readFileSync(join(root, 'run/model.dat')).length).toBe(10);
    await expectSummaryMatchesDisk(api, root);
  });
});

describe('unreadable parts', () => {
  it('unreadable folders and files are listed with their error, the scan completes, totals leave out what cannot be read', async () => {
    const project = tempDir();
    const root = join(project, 'checkpoints');
    put(root, 'open/model.dat', 300);
    put(root, 'open/noread.pt', 4096);
    put(root, 'locked/secret.dat', 5000);
    put(root, 'locked/sub/deeper.dat', 7000);
    put(root, 'listless/hidden.dat', 600);
    put(root, 'debug_locked/x.pt', 800);
    ageTree(root);
    // chmod 000 does not stop root: the server then runs as "nobody", owning the project as a user would.
    if (asRoot) spawnSync('chown', ['-R', '65534:65534', project]);
    chmodSync(join(root, 'open/noread.pt'), 0o000);
    chmodSync(join(root, 'locked'), 0o000);
    chmodSync(join(root, 'listless'), 0o311); // can be entered, not listed
    chmodSync(join(root, 'debug_locked'), 0o000);
    const requests = [
      { url: '/api/summary' },
      { url: '/api/tree?path=&sort=name&order=asc' },
      { url: '/api/tree?path=&tag=error' },
      { url: '/api/entry?path=locked' },
      { url: '/api/tree?path=locked' },
      { url: '/api/entry?path=locked%2Fsecret.dat' },
      { url: '/api/entry?path=listless' },
      { url: '/api/entry?path=open%2Fnoread.pt' },
      { url: '/api/plan?policy=conservative' },
      { method: 'POST', url: '/api/deletions', payload: { path: 'locked' } },
      { method: 'POST', url: '/api/deletions', payload: { path: 'debug_locked', policy: 'conservative' } },
      { method: 'POST', url: '/api/deletions', payload: { path: 'open/noread.pt' } },
      { url: '/api/summary' },
    ];
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'server/test-utils/inject-cli.ts'), project, JSON.stringify(requests)], {
      cwd: repo,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      encoding: 'utf8',
      timeout: 60_000,
    });
    for (const d of ['locked', 'listless', 'debug_locked']) chmodSync(join(root, d), 0o755);
    expect(r.status, r.stderr).toBe(0);
    const [summary, top, errored, locked, lockedList, secret, listless, noread, plan, delLocked, delDebug, delNoread, after] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: number; body: any });
    expect(summary.body.scan).toMatchObject({ state: 'ready', errors: 3 });
    // Only what could be read is counted: open/ and nothing inside the unreadable folders.
    expect(summary.body.totals).toMatchObject({ files: 2, bytes: 4396 });
    expect(top.body.entries.map((e: Entry) => [e.name, e.error ?? null, e.bytes])).toEqual([
      ['debug_locked', 'EACCES', 0],
      ['listless', 'EACCES', 0],
      ['locked', 'EACCES', 0],
      ['open', null, 4396],
    ]);
    expect(errored.body.entries.map((e: Entry) => e.name).sort()).toEqual(['debug_locked', 'listless', 'locked']);
    expect(locked.body).toMatchObject({ kind: 'dir', error: 'EACCES', children: 0, files: 0 });
    expect(lockedList).toMatchObject({ status: 200, body: { total: 0, entries: [] } });
    expect(secret.status).toBe(404);
    expect(listless.body).toMatchObject({ error: 'EACCES', children: 0 });
    // A file that cannot be opened is sized from lstat and its model says why it was not read.
    expect(noread.body).toMatchObject({ kind: 'file', bytes: 4096 });
    expect(noread.body.checkpoint.integrity.status).toBe('unchecked');
    expect(noread.body.checkpoint.integrity.detail).toMatch(/permission denied/i);
    // Deleting what cannot be listed refuses and touches nothing.
    // The plan may offer the unreadable debug folder, but says deletion will fail.
    const offered = plan.body.items.find((i: { path: string }) => i.path === 'debug_locked');
    expect(offered.warnings.join(' ')).toMatch(/deletion will fail/);
    expect(delLocked.status, JSON.stringify(delLocked.body)).toBe(403);
    expect(delLocked.body.error.code).toBe('PERMISSION_DENIED');
    expect(delDebug.status, JSON.stringify(delDebug.body)).toBe(403);
    expect(existsSync(join(root, 'locked/sub/deeper.dat'))).toBe(true);
    expect(existsSync(join(root, 'debug_locked/x.pt'))).toBe(true);
    // Unlinking needs only the folder's permission: an unreadable file in a writable folder goes.
    expect(delNoread.status, JSON.stringify(delNoread.body)).toBe(200);
    expect(delNoread.body).toMatchObject({ freedBytes: 4096, deletedFiles: 1 });
    expect(after.body.totals).toMatchObject({ files: 1, bytes: 300 });
  });
});

describe('files and the root changing under a running server', () => {
  it('files vanishing while the first scan runs: the scan completes and the live index then matches the disk', async () => {
    const config = testConfig();
    const root = config.root;
    for (let d = 0; d < 20; d++) for (let f = 0; f < 300; f++) put(root, `v${d}/f${f}.dat`, f);
    put(root, 'stable/keep.dat', 123);
    ageTree(root);
    // Deletes and recreates files as fast as it can until told to stop, then removes half the folders for good.
    const churn = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const root = process.argv[1];
         fs.writeFileSync(root + '/../churning', '');
         for (let i = 0; !fs.existsSync(root + '/../stop'); i++) { const d = root + '/v' + (i % 20);
           for (let f = 0; f < 300; f++) { try { fs.unlinkSync(d + '/f' + f + '.dat'); } catch {} }
           for (let f = 0; f < 300; f++) fs.writeFileSync(d + '/f' + f + '.dat', 'x'); }
         for (let d = 0; d < 10; d++) fs.rmSync(root + '/v' + d, { recursive: true });`,
        root,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => churn.once('exit', r));
    try {
      await until(() => existsSync(join(config.project, 'churning')), 'the churn to start');
      const app = await testApp(config);
      const api = apiOf(app);
      // The API answers while the scan runs.
      expect((await api.summary()).statusCode).toBe(200);
      await app.ckpt.scan.ready();
      expect((await api.summary()).json().scan.state).toBe('ready');
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(join(config.project, 'stop'), '');
      expect(await exited).toBe(0);
      // The watcher catches up with the storm: the totals become the disk's and every folder adds up.
      await until(async () => JSON.stringify((await api.summary()).json().totals) === JSON.stringify(diskTotals(root)), 'the index to match the disk', 20_000);
      await expectTotalsAddUp(api);
      expect((await page(api, '')).entries.map((e) => e.name).sort()).toEqual(['stable', ...Array.from({ length: 10 }, (_, i) => `v${i + 10}`)].sort());
      // A rescan over the settled tree changes nothing.
      const before = (await api.summary()).json().totals;
      await (app.ckpt.scan as unknown as { rescanSubtree(p: string): Promise<void> }).rescanSubtree('');
      expect((await api.summary()).json().totals).toEqual(before);
      expect(await entryOf(api, 'stable/keep.dat')).toMatchObject({ bytes: 123 });
    } finally {
      churn.kill('SIGKILL');
    }
  });

  it('the root deleted: the server keeps serving, says the folder is gone, refuses deletions, and a recreated folder is not mistaken for it', async () => {
    const { app, api, root } = await served((root) => {
      put(root, 'run/a.dat', 10);
      put(root, 'run/b.dat', 20);
    });
    const notice = nextEvent(app, (e) => e.type === 'notice' && e.code === 'ROOT_GONE');
    rmSync(root, { recursive: true });
    expect(await notice).toMatchObject({ level: 'error', message: expect.stringMatching(/deleted or moved away/) });
    const s = await api.summary();
    expect(s.statusCode).toBe(200);
    expect(s.json().scan.rootError).toMatch(/deleted or moved away.*[Rr]estart/);
    for (const url of ['/api/tree?path=', '/api/checkpoints', '/api/plan?policy=aggressive', '/api/history?range=1h']) {
      expect((await api.get(url)).statusCode, url).toBe(200);
    }
    let res = await api.del('run/a.dat');
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.code).toBe('ROOT_GONE');
    // Recreated with the same names: still not the folder that was scanned.
    put(root, 'run/a.dat', 10);
    ageTree(root);
    res = await api.del('run/a.dat');
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.code).toBe('ROOT_GONE');
    expect(existsSync(join(root, 'run/a.dat'))).toBe(true);
    expect((await api.summary()).json().scan.rootError).toMatch(/[Rr]estart/);
  });

  it('the root deleted while the first scan runs: the scan ends, the server keeps serving and says so', async () => {
    const config = testConfig();
    for (let d = 0; d < 10; d++) for (let f = 0; f < 500; f++) put(config.root, `r${d}/f${f}.dat`, 1);
    const app = await testApp(config, { startScan: false });
    const notice = nextEvent(app, (e) => e.type === 'notice' && e.code === 'ROOT_GONE');
    app.ckpt.scan.start();
    rmSync(config.root, { recursive: true });
    await app.ckpt.scan.ready().catch(() => {});
    const s = await apiOf(app).summary();
    expect(s.statusCode).toBe(200);
    // Either the scan saw nothing or the watcher found the folder gone: both end in a clear state.
    if (s.json().scan.state === 'ready') {
      await notice;
      expect((await apiOf(app).summary()).json().scan.rootError).toMatch(/deleted or moved away/);
    } else {
      expect(s.json().scan.rootError).toMatch(/deleted or moved away|does not exist/);
    }
  });

  it('the root replaced by another folder: the server says so and never deletes in the new folder', async () => {
    const { app, api, root } = await served((root) => {
      put(root, 'run/a.dat', 10);
      put(root, 'run/keep.dat', 1);
    });
    const planned = await entryOf(api, 'run/a.dat');
    const notice = nextEvent(app, (e) => e.type === 'notice' && e.code === 'ROOT_GONE');
    renameSync(root, `${root}.old`);
    put(root, 'run/a.dat', 10);
    put(root, 'run/new.dat', 5);
    ageTree(root);
    expect(await notice).toMatchObject({ message: expect.stringMatching(/deleted or moved away|replaced/) });
    expect((await api.summary()).json().scan.rootError).toMatch(/deleted or moved away|replaced/);
    for (const [path, etag] of [['run/a.dat', planned.etag], ['run/a.dat', undefined], ['run', undefined], ['run/new.dat', undefined]] as const) {
      const res = await api.del(path, etag);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(409);
      expect(res.json().error.code).toBe('ROOT_GONE');
    }
    expect(readFileSync(join(root, 'run/a.dat')).length).toBe(10);
    expect(readFileSync(join(root, 'run/new.dat')).length).toBe(5);
    expect(readFileSync(join(`${root}.old`, 'run/a.dat')).length).toBe(10);
  });
});
