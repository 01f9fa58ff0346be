// Hostile configuration: a malformed, huge, endless or absurdly nested
// ckptdash.config.json, and pin sources (configs/*.json|yaml|toml) built to
// break their parsers. The server must start and keep answering, say what is
// wrong, and never lose the protection a readable reference gives.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { parseCli, resolveConfig, type Config } from '../config.js';
import { MAX_PROJECT_CONFIG_BYTES } from '../project-config.js';
import { apiOf, until } from '../test-utils/api-client.js';
import { testApp } from '../test-utils/app.js';
import { tempDir } from '../test-utils/temp.js';

const CONFIG = 'ckptdash.config.json';
const repo = fileURLToPath(new URL('../..', import.meta.url));
const OLD = new Date(Date.now() - 10 * 86_400_000);

/** A project with two old checkpoints under `checkpoints/run/` and the given files around it. */
function project(files: Record<string, string | Buffer> = {}): { dir: string; root: string } {
  const dir = tempDir();
  const root = join(dir, 'checkpoints');
  for (const name of ['best.pt', 'other.pt']) {
    mkdirSync(join(root, 'run'), { recursive: true });
    writeFileSync(join(root, 'run', name), 'weights');
    utimesSync(join(root, 'run', name), OLD, OLD);
  }
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return { dir, root };
}

function resolveFor(root: string): Promise<Config> {
  return resolveConfig(parseCli([root, '--state', join(tempDir(), 'state')]), { env: {}, cwd: '/', demo: async () => Promise.reject(new Error('no demo')) });
}

/** The app for a resolved config, with the scan, the models and the references all read; and how long that took. */
async function started(config: Config): Promise<{ app: FastifyInstance; ms: number }> {
  const t0 = Date.now();
  const app = await testApp(config);
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  return { app, ms: Date.now() - t0 };
}

/** `[[[…"value"…]]]`, `depth` levels deep. */
const nested = (depth: number, inner: string) => '['.repeat(depth) + inner + ']'.repeat(depth);

/** Peak memory of a child process that resolves the config of `root` (kB of max RSS, before and after). */
function resolveInChild(root: string): { ms: number; before: number; after: number; settingsError?: string } {
  const script = `
    import { parseCli, resolveConfig } from ${JSON.stringify(join(repo, 'server/config.ts'))};
    const before = process.resourceUsage().maxRSS;
    const t0 = Date.now();
    const c = await resolveConfig(parseCli([process.argv[1], '--state', process.argv[2]]), { env: {}, cwd: '/', demo: async () => { throw new Error('no demo'); } });
    process.stdout.write(JSON.stringify({ ms: Date.now() - t0, before, after: process.resourceUsage().maxRSS, settingsError: c.settingsError }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, root, join(tempDir(), 'state')], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(out);
}

/** Starts the real CLI and stops it with SIGTERM once it has printed its URL. */
function serveOnce(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'server/main.ts'), ...args, '--port', '0', '--no-open', '--token', 'tok-0123456789'], {
      cwd: repo,
      env: { ...process.env, CKPTDASH_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('a malformed ckptdash.config.json', () => {
  it('invalid JSON: the server starts with the defaults and says where the file is wrong', async () => {
    const p = project({ [CONFIG]: '{\n  "port": 9001,\n  "ignore": ["*.tmp",]\n}\n' });
    const config = await resolveFor(p.root);
    expect(config.settingsError).toBe("ckptdash.config.json line 3 column 22: invalid JSON (Unexpected token ']')");
    expect(config.port).toBe(7878);
    const { app } = await started(config);
    const s = (await apiOf(app).summary()).json();
    expect(s.configError).toMatch(/invalid JSON/);
    expect(s.totals.files).toBe(2);
    // The real command warns on one line and serves.
    const r = await serveOnce([p.root, '--state', join(tempDir(), 's')]);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(r.stderr.split('\n')[0]).toBe("ckptdash: warning: ckptdash.config.json line 3 column 22: invalid JSON (Unexpected token ']') (using defaults)");
  });

  it('wrong types are reported by key and no bad value is used', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ port: 'high' }, /\/port must be integer/],
      [{ port: 1e9 }, /\/port/],
      [{ readOnly: 'yes' }, /\/readOnly/],
      [{ ignore: '*.tmp' }, /\/ignore must be array/],
      [{ ignore: [1, 2] }, /\/ignore\/0 must be string/],
      [{ categories: { intermediate: 5 } }, /\/categories\/intermediate/],
      [{ retention: { keepLast: -1 } }, /\/retention\/keepLast/],
      [{ lang: 'fr' }, /\/lang/],
      [[1, 2, 3], /\(top\) must be object/],
      ['just a string', /\(top\) must be object/],
      [null, /\(top\) must be object/],
    ];
    for (const [value, pattern] of cases) {
      const p = project({ [CONFIG]: JSON.stringify(value) });
      const c = await resolveFor(p.root);
      expect(c.settingsError, JSON.stringify(value)).toMatch(pattern);
      expect(c.settings).toEqual({});
      expect(c).toMatchObject({ port: 7878, readOnly: false, lang: 'en' });
    }
  });

  it('unknown keys (and prototype keys) are refused by name, and pollute nothing', async () => {
    for (const [text, pattern] of [
      ['{"colour": "red"}', /unknown key "colour"/],
      ['{"categories": {"everything": ["*"]}}', /unknown key "everything"/],
      ['{"retention": {"keepLast": 1, "deleteAll": true}}', /unknown key "deleteAll"/],
      ['{"__proto__": {"readOnly": false, "polluted": true}}', /unknown key "__proto__"|must be/],
      ['{"constructor": {"prototype": {"polluted": true}}}', /unknown key "constructor"/],
    ] as const) {
      const p = project({ [CONFIG]: text });
      const c = await resolveFor(p.root);
      expect(c.settingsError, text).toMatch(pattern);
      expect(c.settings).toEqual({});
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('a 10 MB file is refused unread, quickly, and the defaults are used', async () => {
    const big = JSON.stringify({ ignore: ['*.tmp'], $schema: 'x'.repeat(10 * 1024 * 1024) });
    const p = project({ [CONFIG]: big });
    const t0 = Date.now();
    const c = await resolveFor(p.root);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(c.settingsError).toBe(`${CONFIG}: larger than ${MAX_PROJECT_CONFIG_BYTES} bytes, not read`);
    expect(c.settings).toEqual({});
    const { app } = await started(c);
    expect((await apiOf(app).summary()).json().configError).toMatch(/larger than/);
  });

  it('a FIFO, /dev/zero or a sparse 1.5 GB file in its place: refused at once, without blocking or filling memory', async () => {
    const fifo = project();
    execFileSync('mkfifo', [join(fifo.dir, CONFIG)]);
    const zero = project();
    symlinkSync('/dev/zero', join(zero.dir, CONFIG));
    const sparse = project();
    closeSync(openSync(join(sparse.dir, CONFIG), 'w'));
    truncateSync(join(sparse.dir, CONFIG), 1.5 * 2 ** 30);
    for (const [p, pattern] of [
      [fifo, /not a regular file/],
      [zero, /not a regular file/],
      [sparse, /larger than \d+ bytes, not read/],
    ] as const) {
      // In a child process: a read that blocked or filled memory would show there, not take this one down.
      const r = resolveInChild(p.root);
      expect(r.settingsError).toMatch(pattern);
      expect(r.ms).toBeLessThan(2000);
      expect((r.after - r.before) / 1024, 'MB of peak memory added').toBeLessThan(100);
    }
  });

  it('arrays nested 100,000 deep are refused without a stack overflow', async () => {
    for (const text of [nested(100_000, ''), `{"ignore": ${nested(100_000, '"*.tmp"')}}`, `{"categories": {"debug": ${nested(100_000, '')}}}`]) {
      const p = project({ [CONFIG]: text });
      const t0 = Date.now();
      const c = await resolveFor(p.root);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(c.settingsError).toMatch(/must be (object|string|array)/);
      expect(c.settings).toEqual({});
    }
  });

  it('broken while the server runs: the last good settings stay, the summary says why, the server keeps answering', async () => {
    const p = project({ [CONFIG]: JSON.stringify({ ignore: ['skip-me'] }) });
    mkdirSync(join(p.root, 'skip-me'));
    writeFileSync(join(p.root, 'skip-me', 'x.pt'), 'x');
    const { app } = await started(await resolveFor(p.root));
    const api = apiOf(app);
    expect((await api.summary()).json().totals.files).toBe(2);
    for (const [content, pattern] of [
      [nested(100_000, ''), /must be object/],
      ['{"ignore": [', /invalid JSON/],
      [`{"$schema": "${'y'.repeat(2 * MAX_PROJECT_CONFIG_BYTES)}"}`, /larger than/],
    ] as const) {
      writeFileSync(join(p.dir, CONFIG), content);
      await until(async () => pattern.test((await api.summary()).json().configError ?? ''), `the summary to report ${pattern}`);
      expect((await api.tree('')).statusCode).toBe(200);
      expect((await api.summary()).json().totals.files).toBe(2);
    }
    writeFileSync(join(p.dir, CONFIG), JSON.stringify({ ignore: ['skip-me'], lang: 'es' }));
    await until(async () => (await api.summary()).json().configError === undefined, 'the config error to clear');
  });
});

describe('hostile pin sources', () => {
  /** The run's best.pt is pinned by `file` (protected, with a reference from it); other.pt is not. */
  async function expectPinned(app: FastifyInstance, file: string): Promise<void> {
    const api = apiOf(app);
    const e = (await api.entry('run/best.pt')).json();
    expect(e.protected, `${file} should pin run/best.pt`).toBe(true);
    expect(e.references.map((r: { file: string }) => r.file)).toContain(file);
    const res = await api.del('run/best.pt');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('PROTECTED');
    expect((await api.entry('run/other.pt')).json().protected).toBe(false);
  }

  it.each([
    ['configs/broken.json', '{"ensemble": ["checkpoints/run/best.pt",, }'],
    ['configs/broken.yaml', 'ensemble:\n  - checkpoints/run/best.pt\n  bad: [unclosed\n\t- tab'],
    ['configs/broken.toml', 'ensemble = ["checkpoints/run/best.pt"\n[[[not toml'],
  ])('%s, unparseable, is read as text: its reference still protects', async (file, text) => {
    const p = project({ [file]: text });
    const { app, ms } = await started(await resolveFor(p.root));
    expect(ms).toBeLessThan(10_000);
    await expectPinned(app, file);
  });

  it('a YAML alias bomb (a billion laughs) is read in bounded time without expanding it', async () => {
    const levels = ['a: &a ["checkpoints/run/best.pt", "lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const p = project({ 'configs/laughs.yaml': `${levels.join('\n')}\n` });
    const before = process.memoryUsage().rss;
    const { app, ms } = await started(await resolveFor(p.root));
    expect(ms).toBeLessThan(10_000);
    expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(100);
    await expectPinned(app, 'configs/laughs.yaml');
    // The path is written once: one reference, not a billion.
    expect((await apiOf(app).entry('run/best.pt')).json().references).toHaveLength(1);
  });

  it('a 5 MB pin source is skipped and reported; the other sources still protect', async () => {
    const huge = JSON.stringify({ models: Array.from({ length: 160_000 }, (_, i) => `checkpoints/run/other.pt#${i}`), pin: 'checkpoints/run/other.pt' });
    expect(huge.length).toBeGreaterThan(5 * 1024 * 1024);
    const p = project({ 'configs/huge.json': huge, 'configs/small.json': '{"best": "checkpoints/run/best.pt"}' });
    const { app, ms } = await started(await resolveFor(p.root));
    expect(ms).toBeLessThan(10_000);
    const s = (await apiOf(app).summary()).json();
    expect(s.references.skipped).toContainEqual({ file: 'configs/huge.json', reason: 'too-large' });
    await expectPinned(app, 'configs/small.json');
  });

  it('structures nested 60,000 to 100,000 deep in JSON, YAML and TOML do not overflow the stack; the path inside still protects', async () => {
    const path = '"checkpoints/run/best.pt"';
    const p = project({
      'configs/deep.json': `{"a": ${nested(100_000, path)}}`,
      'configs/deep.yaml': `a: ${nested(60_000, path)}\n`,
      'configs/dashes.yaml': `${'- '.repeat(30_000)}checkpoints/run/best.pt\n`,
      'configs/deep.toml': `a = ${nested(60_000, path)}\n`,
    });
    const { app, ms } = await started(await resolveFor(p.root));
    expect(ms).toBeLessThan(15_000);
    const refs = (await apiOf(app).entry('run/best.pt')).json().references.map((r: { file: string }) => r.file).sort();
    expect(refs).toEqual(['configs/dashes.yaml', 'configs/deep.json', 'configs/deep.toml', 'configs/deep.yaml']);
    await expectPinned(app, 'configs/deep.json');
  });

  it('deeply nested YAML never reaches the parser: read again and again after garbage collections, the process survives', () => {
    // The parser recurses per level; V8 recompiles flushed regular expressions on demand, and one
    // compiled that deep aborts the process (an uncatchable fatal error) instead of throwing.
    const script = `
      import { findCandidates } from ${JSON.stringify(join(repo, 'server/refs/parse.ts'))};
      const texts = ['a: ' + '['.repeat(60000) + '"checkpoints/run/best.pt"' + ']'.repeat(60000), '- '.repeat(30000) + 'x', '? '.repeat(30000) + 'x'];
      for (let i = 0; i < 20; i++) {
        for (const t of texts) if (findCandidates(t + '\\n', 'yaml').format !== 'text') throw new Error('parsed as YAML');
        globalThis.gc();
        const churn = Array.from({ length: 200000 }, (_, k) => ({ k, s: String(k) }));
        if (churn.length === 0) throw new Error('unreachable');
      }
      process.stdout.write('survived');`;
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/FATAL ERROR/);
    expect(r.stdout).toBe('survived');
    expect(r.status).toBe(0);
  });
});
