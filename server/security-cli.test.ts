// Hostile or careless roots on the command line: the whole filesystem, the
// home folder, things that are not folders, links, and a state or backup
// folder that would land inside the folder ckptdash may delete from. Each
// case through resolveConfig and, where a process is cheap, the real CLI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCli, resolveConfig, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { apiOf } from './test-utils/api-client.js';
import { testApp } from './test-utils/app.js';
import { tempDir } from './test-utils/temp.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const noDemo = async (): Promise<never> => {
  throw new Error('demo not expected');
};

function resolveArgs(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = '/'): Promise<Config> {
  return resolveConfig(parseCli(argv), { env, cwd, demo: noDemo });
}

/** The one-line message resolveConfig refuses with. */
async function refusal(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await resolveArgs(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

/** Runs the real CLI from source; stops it with SIGTERM once it prints its URL. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--no-open', '--port', '0', '--token', 'cli-test-token-0123', ...args], {
      env: { ...process.env, CKPTDASH_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (/^http.*\n/.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit code 2, nothing on stdout, one `ckptdash: …` line on stderr matching `pattern`. */
async function expectCliRefuses(args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await cli(args, env);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^ckptdash: /);
  expect(r.stderr).toMatch(pattern);
}

function project(): { dir: string; root: string } {
  const dir = tempDir();
  mkdirSync(join(dir, 'checkpoints'));
  return { dir, root: join(dir, 'checkpoints') };
}

describe('the root argument', () => {
  it('/ is refused, even read-only, with one clear line and exit code 2', async () => {
    expect(await refusal(['/'])).toMatch(/refusing to serve \/ as the checkpoints directory/);
    expect(await refusal(['/', '--read-only'])).toMatch(/refusing to serve \//);
    // Spelled another way, or reached through a link, it is still /.
    expect(await refusal(['/tmp/..'])).toMatch(/refusing to serve \//);
    const link = join(tempDir(), 'to-slash');
    symlinkSync('/', link);
    expect(await refusal([link])).toMatch(/refusing to serve \//);
    await expectCliRefuses(['/'], /refusing to serve \/ as the checkpoints directory/);
  });

  it('the home folder (and the folder of every home) is refused unless --read-only, which serves it to browse only', async () => {
    const base = tempDir();
    const home = join(base, 'home', 'me');
    mkdirSync(join(home, 'checkpoints'), { recursive: true });
    const env = { HOME: home };
    expect(await refusal([home], env)).toMatch(/refusing to serve your home folder .* --read-only/);
    expect(await refusal([join(base, 'home')], env)).toMatch(/refusing to serve the folder of every home folder/);
    // The home folder through a link is still the home folder.
    symlinkSync(home, join(base, 'link-to-home'));
    expect(await refusal([join(base, 'link-to-home')], env)).toMatch(/your home folder/);
    // The folder below it is what users mean, and it is fine.
    expect((await resolveArgs([join(home, 'checkpoints')], env)).root).toBe(realpathSync(join(home, 'checkpoints')));
    // Browsing only: allowed, and nothing can be deleted.
    const c = await resolveArgs([home, '--read-only', '--state', join(base, 'state')], env);
    expect(c).toMatchObject({ root: realpathSync(home), readOnly: true });
    expect((await resolveArgs([home, '--state', join(base, 'state')], { ...env, CKPTDASH_READ_ONLY: '1' })).readOnly).toBe(true);
    writeFileSync(join(home, 'checkpoints', 'model.pt'), 'x');
    const app = await testApp(c);
    await app.ckpt.scan.ready();
    await app.ckpt.project.idle();
    const res = await apiOf(app).del('checkpoints/model.pt');
    expect(res.statusCode).toBe(403);
    expect(existsSync(join(home, 'checkpoints', 'model.pt'))).toBe(true);
    await expectCliRefuses([home], /refusing to serve your home folder/, env);
  });

  it('a regular file, a missing path, a dangling link and a link to a file are refused with what is wrong', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'file.pt'), 'x');
    symlinkSync(join(p.dir, 'file.pt'), join(p.dir, 'link-to-file'));
    symlinkSync(join(p.dir, 'nowhere'), join(p.dir, 'dangling'));
    expect(await refusal([join(p.dir, 'file.pt')])).toMatch(/checkpoints directory is not a directory: .*file\.pt/);
    expect(await refusal([join(p.dir, 'link-to-file')])).toMatch(/is not a directory/);
    expect(await refusal([join(p.dir, 'missing')])).toMatch(/checkpoints directory does not exist: .*missing/);
    expect(await refusal([join(p.dir, 'dangling')])).toMatch(/does not exist/);
    await expectCliRefuses([join(p.dir, 'file.pt')], /is not a directory/);
    await expectCliRefuses([join(p.dir, 'missing')], /does not exist/);
  });

  it('a link to a folder serves the real folder: re-pointing the link later changes nothing', async () => {
    const p = project();
    const other = project().root;
    mkdirSync(join(p.root, 'run'));
    mkdirSync(join(other, 'run'));
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const dir of [p.root, other]) {
      writeFileSync(join(dir, 'run/a.dat'), `data in ${dir}`);
      utimesSync(join(dir, 'run/a.dat'), old, old);
    }
    const link = join(tempDir(), 'ckpts');
    symlinkSync(p.root, link);
    const c = await resolveArgs([link]);
    expect(c.root).toBe(realpathSync(p.root));
    expect(c.project).toBe(realpathSync(p.dir));
    const app = await testApp(c);
    await app.ckpt.scan.ready();
    await app.ckpt.project.idle();
    const api = apiOf(app);
    expect((await api.summary()).json().root).toBe(realpathSync(p.root));
    // The link now leads elsewhere: deletions still act on the folder that was scanned.
    rmSync(link);
    symlinkSync(other, link);
    const res = await api.del('run/a.dat');
    expect(res.statusCode, res.body).toBe(200);
    expect(existsSync(join(p.root, 'run/a.dat'))).toBe(false);
    expect(readFileSync(join(other, 'run/a.dat'), 'utf8')).toBe(`data in ${other}`);
    // The real command says which folder it serves.
    const r = await cli([link]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`serving ${realpathSync(other)}`);
  });
});

describe('state and backup folders inside the root', () => {
  it('a state folder inside the root (flag, env, or through a link) is refused', async () => {
    const p = project();
    expect(await refusal([p.root, '--state', join(p.root, 'state')])).toMatch(/state folder .* is inside the checkpoints directory/);
    expect(await refusal([p.root], { CKPTDASH_STATE: join(p.root, '.ckptdash') })).toMatch(/state folder .* inside/);
    expect(await refusal([p.root, '--state', p.root])).toMatch(/state folder .* inside/);
    symlinkSync(join(p.root), join(p.dir, 'via'));
    expect(await refusal([p.root, '--state', join(p.dir, 'via', 'deeper', 'state')])).toMatch(/state folder .* inside/);
    // Serving the default state folder itself puts the state inside the root too.
    mkdirSync(join(p.dir, '.ckptdash'));
    expect(await refusal([join(p.dir, '.ckptdash')])).toMatch(/inside the checkpoints directory/);
    await expectCliRefuses([p.root, '--state', join(p.root, 'state')], /state folder .* inside the checkpoints directory/);
    expect(existsSync(join(p.root, 'state'))).toBe(false);
  });

  it('a backup folder inside the root (the project is the root or below it, backups/ links into it, the root is backups/) is refused', async () => {
    const p = project();
    // With the state elsewhere, so that it is the backup folder that is refused.
    const state = ['--state', join(tempDir(), 'state')];
    expect(await refusal([p.root, '--project', p.root, ...state])).toMatch(/backup folder .* inside the checkpoints directory/);
    mkdirSync(join(p.root, 'sub'));
    expect(await refusal([p.root, '--project', join(p.root, 'sub'), ...state])).toMatch(/backup folder .* inside/);
    mkdirSync(join(p.root, 'bk'));
    symlinkSync(join(p.root, 'bk'), join(p.dir, 'backups'));
    expect(await refusal([p.root])).toMatch(/backup folder .* inside/);
    rmSync(join(p.dir, 'backups'));
    mkdirSync(join(p.dir, 'backups'));
    expect(await refusal([join(p.dir, 'backups'), '--project', p.dir, ...state])).toMatch(/backup folder .* inside/);
    await expectCliRefuses([p.root, '--project', p.root, ...state], /backup folder .* inside the checkpoints directory/);
    // Nothing was created inside the root by the refused runs.
    expect(existsSync(join(p.root, '.ckptdash'))).toBe(false);
    expect(existsSync(join(p.root, 'backups'))).toBe(false);
  });
});
