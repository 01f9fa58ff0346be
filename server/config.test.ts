import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, resolveConfig, type ResolveContext } from './config.js';
import { ConfigError } from './errors.js';
import { resolveToken } from './token.js';
import { tempDir } from './test-utils/temp.js';

function project() {
  const dir = tempDir();
  mkdirSync(join(dir, 'checkpoints'));
  return { dir, root: join(dir, 'checkpoints') };
}

const noDemo: ResolveContext['demo'] = async () => {
  throw new Error('demo not expected');
};

async function resolve(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = '/', demo = noDemo) {
  return resolveConfig(parseCli(argv), { env, cwd, demo });
}

async function refusal(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = '/'): Promise<string> {
  try {
    await resolve(argv, env, cwd);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('command line and config resolution', () => {
  it('has defaults: loopback, port 7878, project = parent, state in the project', async () => {
    const p = project();
    const c = await resolve([p.root]);
    expect(c).toMatchObject({ root: p.root, project: p.dir, port: 7878, host: '127.0.0.1', allowHosts: [], readOnly: false, open: true, lang: 'en', demo: false });
    expect(c.stateDir).toBe(join(p.dir, '.ckptdash'));
  });

  it('parses every flag', async () => {
    const p = project();
    const other = tempDir();
    const tokenFile = join(other, 'tok');
    writeFileSync(tokenFile, 'file-token\n');
    const c = await resolve([
      p.root, '--project', other, '--port', '0', '--host', '0.0.0.0', '--allow-host', 'gpu.lan', '--allow-host', 'Box2',
      '--token-file', tokenFile, '--new-token', '--read-only', '--no-open', '--state', join(other, 'st'), '--lang', 'es', '--demo-reset',
    ]);
    expect(c).toMatchObject({ project: other, port: 0, host: '0.0.0.0', allowHosts: ['gpu.lan', 'box2'], readOnly: true, open: false, lang: 'es', demoReset: true });
    expect(c.stateDir).toBe(join(other, 'st'));
    expect(c.token).toEqual({ value: undefined, file: tokenFile, rotate: true });
    expect(resolveToken(c)).toEqual({ token: 'file-token', source: 'file' });
    const t = await resolve([p.root, '--token', 'abc']);
    expect(t.token.value).toBe('abc');
  });

  it('takes flags over env over the project config file over defaults', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'ckptdash.config.json'), JSON.stringify({ port: 9001, lang: 'es', readOnly: true, ignore: ['*.tmp'] }));
    const fromFile = await resolve([p.root]);
    expect(fromFile).toMatchObject({ port: 9001, lang: 'es', readOnly: true });
    expect(fromFile.settings.ignore).toEqual(['*.tmp']);
    const fromEnv = await resolve([p.root], { CKPTDASH_PORT: '9002', CKPTDASH_LANG: 'en', CKPTDASH_READ_ONLY: 'false' });
    expect(fromEnv).toMatchObject({ port: 9002, lang: 'en', readOnly: false });
    const fromFlag = await resolve([p.root, '--port', '9003', '--lang', 'es'], { CKPTDASH_PORT: '9002', CKPTDASH_LANG: 'en' });
    expect(fromFlag).toMatchObject({ port: 9003, lang: 'es' });
    const envToken = await resolve([p.root], { CKPTDASH_TOKEN: 'from-env' });
    expect(envToken.token.value).toBe('from-env');
    const flagToken = await resolve([p.root, '--token', 'from-flag'], { CKPTDASH_TOKEN: 'from-env' });
    expect(flagToken.token.value).toBe('from-flag');
    const envHosts = await resolve([p.root, '--host', '0.0.0.0'], { CKPTDASH_ALLOW_HOSTS: 'a.lan, b.lan' });
    expect(envHosts.allowHosts).toEqual(['a.lan', 'b.lan']);
  });

  it('uses ./checkpoints when no directory is given, else the demo', async () => {
    const p = project();
    expect((await resolve([], {}, p.dir)).root).toBe(p.root);
    const empty = tempDir();
    const demoProject = project();
    let asked: boolean | undefined;
    const c = await resolve(['--demo-reset'], {}, empty, async ({ reset }) => {
      asked = reset;
      return { projectDir: demoProject.dir, checkpointsDir: demoProject.root };
    });
    expect(asked).toBe(true);
    expect(c).toMatchObject({ demo: true, root: demoProject.root, project: demoProject.dir });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port'], /--port/],
    [['--port', 'abc'], /--port must be a port number/],
    [['--port', '70000'], /--port must be a port number/],
    [['--lang', 'fr'], /--lang must be en or es/],
    [['--host', '0.0.0.0'], /--allow-host/],
    [['--allow-host', 'http://x.lan'], /not a host name/],
    [['--token', ''], /--token must not be empty/],
    [['a', 'b'], /expected one checkpoints directory/],
  ])('refuses %j with one clear line', async (argv, pattern) => {
    const p = project();
    const args = argv.length === 2 && argv[0] === 'a' ? [join(p.dir, 'a'), join(p.dir, 'b')] : [p.root, ...argv];
    expect(await refusal(args)).toMatch(pattern);
  });

  it('refuses a missing directory, a file, a state or backup folder inside the root', async () => {
    const p = project();
    expect(await refusal([join(p.dir, 'nope')])).toMatch(/does not exist/);
    writeFileSync(join(p.dir, 'file'), 'x');
    expect(await refusal([join(p.dir, 'file')])).toMatch(/is not a directory/);
    expect(await refusal([p.root, '--state', join(p.root, 'state')])).toMatch(/state folder .* inside the checkpoints directory/);
    expect(await refusal([p.root, '--project', p.root])).toMatch(/inside the checkpoints directory/);
    // A state folder reached through a symlink into the root is inside it too.
    symlinkSync(p.root, join(p.dir, 'via-link'));
    expect(await refusal([p.root, '--state', join(p.dir, 'via-link', 's')])).toMatch(/inside the checkpoints directory/);
    expect(await refusal([p.root, '--project', join(p.dir, 'none')])).toMatch(/project directory does not exist/);
    expect(await refusal([p.root], { CKPTDASH_PORT: 'x' })).toMatch(/CKPTDASH_PORT/);
    expect(await refusal([p.root], { CKPTDASH_READ_ONLY: 'maybe' })).toMatch(/CKPTDASH_READ_ONLY/);
  });

  it('reports a malformed config file with line and column and keeps the defaults', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'ckptdash.config.json'), '{\n  "port": 9001,\n  "lang": "es",,\n}\n');
    const c = await resolve([p.root]);
    expect(c.settingsError).toMatch(/ckptdash\.config\.json line 3 column \d+: invalid JSON/);
    expect(c.port).toBe(7878);
    writeFileSync(join(p.dir, 'ckptdash.config.json'), '{\n  "port": 9001,\n  "colour": "red"\n}\n');
    expect((await resolve([p.root])).settingsError).toMatch(/line 3 column 3: unknown key "colour"/);
    writeFileSync(join(p.dir, 'ckptdash.config.json'), '{\n  "port": "high"\n}\n');
    expect((await resolve([p.root])).settingsError).toMatch(/line 2 column 3: \/port must be integer/);
  });
});

describe('the access token', () => {
  it('is generated once into the state folder (0600), kept across restarts, rotated by --new-token', async () => {
    const p = project();
    const c = await resolve([p.root]);
    const first = resolveToken(c);
    expect(first.source).toBe('new');
    const file = join(c.stateDir, 'token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.token);
    expect(resolveToken(c)).toEqual({ token: first.token, source: 'state' });
    const rotated = resolveToken(await resolve([p.root, '--new-token']));
    expect(rotated.token).not.toBe(first.token);
    expect(resolveToken(c).token).toBe(rotated.token);
  });

  it('never generates a token that reads as a flag', async () => {
    const { newToken } = await import('./token.js');
    for (let i = 0; i < 2000; i++) expect(newToken()).not.toMatch(/^-/);
    const p = project();
    expect((await resolve([p.root, '--token=-starts-with-dash'])).token.value).toBe('-starts-with-dash');
  });

  it('refuses an empty or missing token file', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'empty'), '\n');
    const c = await resolve([p.root]);
    expect(() => resolveToken({ ...c, token: { file: join(p.dir, 'empty'), rotate: false } })).toThrow(/is empty/);
    expect(() => resolveToken({ ...c, token: { file: join(p.dir, 'nope'), rotate: false } })).toThrow(/does not exist/);
  });
});
