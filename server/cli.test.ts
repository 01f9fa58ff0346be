import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './test-utils/temp.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs the CLI from source; resolves when it exits or prints its URL (then stops it with SIGTERM). */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
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
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the ckptdash command', () => {
  it('exits 2 with one clear line on a bad flag or path', async () => {
    const dir = tempDir();
    for (const args of [['--bogus'], [join(dir, 'missing')], ['--port', 'x', dir]]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^ckptdash: /);
      expect(r.stdout).toBe('');
    }
  });

  it('prints one line with the URL and the token in the fragment, and stops on SIGTERM', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'checkpoints'));
    const r = await run([join(dir, 'checkpoints'), '--port', '0', '--no-open', '--token', 'tok-123456']);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=tok-123456\n$/);
    expect(r.code).toBe(0);
  });

  it('prints --help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--allow-host');
  });
});
