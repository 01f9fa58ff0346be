import { closeSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { normalizeRelPath, splitRelPath } from './paths.js';
import { RootFs } from './root-fs.js';
import { tempDir } from '../test-utils/temp.js';

function setup() {
  const dir = tempDir();
  const root = join(dir, 'ckpt');
  const outside = join(dir, 'outside');
  mkdirSync(join(root, 'run1'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'run1', 'a.pt'), 'inside');
  writeFileSync(join(outside, 'secret.pt'), 'SENTINEL');
  // A sibling sharing the root's prefix must never count as inside.
  mkdirSync(join(dir, 'ckpt-evil'));
  writeFileSync(join(dir, 'ckpt-evil', 'x.pt'), 'SENTINEL');
  symlinkSync(outside, join(root, 'linkdir'));
  symlinkSync(join(outside, 'secret.pt'), join(root, 'link.pt'));
  symlinkSync('../outside', join(root, 'run1', 'up'));
  return { dir, root, outside, fs: new RootFs(root) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return `${(err as ApiError).statusCode} ${(err as ApiError).code}`;
  }
  return 'ok';
}

describe('client path syntax', () => {
  it.each([
    ['..'], ['../x'], ['a/../../x'], ['a/..'], ['/etc/passwd'], ['//proc/self/root'], ['a\0b'], ['a/'], ['a//b'], ['./a'], ['a/.'],
  ])('refuses %j with 400', (p) => {
    expect(code(() => splitRelPath(p))).toBe('400 INVALID_PATH');
  });

  it('accepts any other character as part of a name', () => {
    expect(splitRelPath('')).toEqual([]);
    expect(splitRelPath('run 1/epoch=3-step=1200.ckpt')).toEqual(['run 1', 'epoch=3-step=1200.ckpt']);
    expect(splitRelPath('..a/b..')).toEqual(['..a', 'b..']);
    expect(splitRelPath('a\\..\\b')).toEqual(['a\\..\\b']);
    expect(splitRelPath('%2e%2e/x')).toEqual(['%2e%2e', 'x']);
    expect(normalizeRelPath('x/y')).toBe('x/y');
    expect(code(() => splitRelPath(42))).toBe('400 INVALID_PATH');
  });
});

describe('RootFs: the only door to files under the root', () => {
  it('reads files under the root', () => {
    const { fs } = setup();
    expect(fs.readRange('run1/a.pt', 0, 100).toString()).toBe('inside');
    expect(fs.lstat('run1').isDirectory()).toBe(true);
    expect(fs.lstat('').isDirectory()).toBe(true);
  });

  it('never follows a symlink, as the entry or as a parent folder', () => {
    const { fs } = setup();
    expect(code(() => fs.readRange('link.pt', 0, 100))).toBe('409 SYMLINK');
    expect(code(() => fs.readRange('linkdir/secret.pt', 0, 100))).toBe('409 SYMLINK');
    expect(code(() => fs.readRange('run1/up/secret.pt', 0, 100))).toBe('409 SYMLINK');
    expect(code(() => fs.openDir('linkdir'))).toBe('409 SYMLINK');
    // lstat of the link itself is fine: it describes the link, not its target.
    expect(fs.lstat('link.pt').isSymbolicLink()).toBe(true);
    expect(code(() => fs.lstat('linkdir/secret.pt'))).toBe('409 SYMLINK');
  });

  it('refuses traversal and leaves files outside untouched', () => {
    const { fs, dir, outside } = setup();
    for (const p of ['../outside/secret.pt', '/etc/passwd', `${outside}/secret.pt`, '../ckpt-evil/x.pt', 'run1/../../outside/secret.pt']) {
      expect(code(() => fs.readRange(p, 0, 10)), p).toBe('400 INVALID_PATH');
    }
    expect(code(() => fs.withParent('linkdir/secret.pt', (d, n) => RootFs.unlinkAt(d, n)))).toBe('409 SYMLINK');
    expect(code(() => fs.withParent('../outside/secret.pt', (d, n) => RootFs.unlinkAt(d, n)))).toBe('400 INVALID_PATH');
    expect(readFileSync(join(outside, 'secret.pt'), 'utf8')).toBe('SENTINEL');
    expect(readFileSync(join(dir, 'ckpt-evil', 'x.pt'), 'utf8')).toBe('SENTINEL');
  });

  it('unlinks a symlink itself, never its target, through the parent descriptor', () => {
    const { fs, root, outside } = setup();
    fs.withParent('link.pt', (d, n) => RootFs.unlinkAt(d, n));
    expect(existsSync(join(root, 'link.pt'))).toBe(false);
    expect(readFileSync(join(outside, 'secret.pt'), 'utf8')).toBe('SENTINEL');
  });

  it('answers 404 for missing entries and refuses non-files', () => {
    const { fs } = setup();
    expect(code(() => fs.readRange('run1/missing.pt', 0, 1))).toBe('404 NOT_FOUND');
    expect(code(() => fs.readRange('missing/a.pt', 0, 1))).toBe('404 NOT_FOUND');
    expect(code(() => fs.readRange('run1', 0, 1))).toBe('409 NOT_A_FILE');
    const fd = fs.openDir('run1');
    closeSync(fd);
  });
});
