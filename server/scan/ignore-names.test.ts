import { describe, expect, it } from 'vitest';
import { hashWords, statWords } from './etag.js';
import { compileIgnore } from './ignore.js';
import { escapeName, isUtf8Name } from './names.js';

describe('compileIgnore', () => {
  it('is null without patterns', () => {
    expect(compileIgnore(undefined)).toBeNull();
    expect(compileIgnore(['', '  ', '/'])).toBeNull();
  });

  it('matches names at any depth when the pattern has no slash', () => {
    const m = compileIgnore(['*.tmp', '.git', 'core.?', '[ab]x'])!;
    expect(m('x.tmp', 'a/b/x.tmp')).toBe(true);
    expect(m('.git', '.git')).toBe(true);
    expect(m('.github', '.github')).toBe(false);
    expect(m('core.1', 'core.1')).toBe(true);
    expect(m('core.12', 'core.12')).toBe(false);
    expect(m('bx', 'q/bx')).toBe(true);
    expect(m('cx', 'cx')).toBe(false);
  });

  it('matches anchored relative paths when the pattern has a slash', () => {
    const m = compileIgnore(['/session1/debug', 'runs/*/wandb', 'logs/**', '**/cache/'])!;
    expect(m('debug', 'session1/debug')).toBe(true);
    expect(m('debug', 'x/session1/debug')).toBe(false);
    expect(m('wandb', 'runs/r1/wandb')).toBe(true);
    expect(m('wandb', 'runs/r1/deep/wandb')).toBe(false);
    expect(m('a', 'logs/a')).toBe(true);
    expect(m('logs', 'logs')).toBe(false);
    expect(m('cache', 'cache')).toBe(true);
    expect(m('cache', 'a/b/cache')).toBe(true);
  });

  it('treats regular-expression characters literally', () => {
    const m = compileIgnore(['a+b(1).pt', 'x\\*y'])!;
    expect(m('a+b(1).pt', 'a+b(1).pt')).toBe(true);
    expect(m('aab(1)xpt', 'aab(1)xpt')).toBe(false);
    expect(m('x*y', 'x*y')).toBe(true);
    expect(m('xzy', 'xzy')).toBe(false);
  });
});

describe('names that are not UTF-8', () => {
  it('escapes only the invalid bytes', () => {
    expect(escapeName(Buffer.from('plain.pt'))).toBe('plain.pt');
    expect(escapeName(Buffer.from('héllo✓😀'))).toBe('héllo✓😀');
    expect(escapeName(Buffer.from([0x66, 0xff, 0x2e]))).toBe('f\\xff.');
    // A truncated sequence, an overlong encoding and a UTF-16 surrogate are all invalid.
    expect(escapeName(Buffer.from([0x61, 0xe2, 0x82]))).toBe('a\\xe2\\x82');
    expect(escapeName(Buffer.from([0xc0, 0xaf]))).toBe('\\xc0\\xaf');
    expect(escapeName(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\\xed\\xa0\\x80');
    expect(isUtf8Name(Buffer.from([0xff]))).toBe(false);
    expect(isUtf8Name(Buffer.from('ok'))).toBe(true);
  });
});

describe('etag', () => {
  it('changes with every input word and is stable otherwise', () => {
    const base = statWords(2049, 1234, 0, 4096, 111, 222, 333, 444);
    const tag = hashWords(base);
    expect(tag).toMatch(/^[0-9a-z]{14}$/);
    expect(hashWords([...base])).toBe(tag);
    for (let i = 0; i < base.length; i++) {
      const w = [...base];
      w[i] += 1;
      expect(hashWords(w)).not.toBe(tag);
    }
  });
});
