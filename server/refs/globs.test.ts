import { describe, expect, it } from 'vitest';
import { compileSourceGlobs, expandBraces } from './globs.js';
import { DEFAULT_PIN_SOURCES, DEFAULT_TEXT_SOURCES } from './sources.js';

describe('expandBraces', () => {
  it('expands alternations, nested ones and several in a row', () => {
    expect(expandBraces('*.{json,yaml}')).toEqual(['*.json', '*.yaml']);
    expect(expandBraces('{a,b{1,2}}/x')).toEqual(['a/x', 'b1/x', 'b2/x']);
    expect(expandBraces('{a,b}.{c,d}')).toEqual(['a.c', 'a.d', 'b.c', 'b.d']);
  });

  it('keeps a single alternative, an unclosed brace and an escaped one literal', () => {
    expect(expandBraces('{a}.json')).toEqual(['\\{a}.json']);
    expect(expandBraces('x{a,b')).toEqual(['x\\{a,b']);
    expect(expandBraces('x\\{a,b}')).toEqual(['x\\{a,b}']);
  });

  it('stops at a bounded number of expansions', () => {
    expect(expandBraces('{a,b}'.repeat(20)).length).toBeLessThanOrEqual(1000);
  });
});

describe('compileSourceGlobs with the defaults', () => {
  const m = compileSourceGlobs(DEFAULT_PIN_SOURCES, DEFAULT_TEXT_SOURCES);

  it('classifies pin sources before text sources', () => {
    expect(m.kind('configs/ensemble_best.json')).toBe('pin');
    expect(m.kind('configs/a/b/c.yml')).toBe('pin');
    expect(m.kind('GROUND_TRUTH.json')).toBe('pin');
    expect(m.kind('pyproject.toml')).toBe('pin');
    expect(m.kind('scripts/run.sh')).toBe('text');
    expect(m.kind('scripts/deep/x.json')).toBe('text');
    expect(m.kind('train.py')).toBe('text');
    expect(m.kind('configs/notes.txt')).toBeNull();
    expect(m.kind('src/train.py')).toBeNull();
    expect(m.kind('README.md')).toBeNull();
  });

  it('only reaches into the folders a glob can match', () => {
    expect(m.mayContain('')).toBe(true);
    expect(m.mayContain('configs')).toBe(true);
    expect(m.mayContain('configs/a/b')).toBe(true);
    expect(m.mayContain('scripts/x')).toBe(true);
    expect(m.mayContain('data')).toBe(false);
    expect(m.mayContain('checkpoints')).toBe(false);
    expect(m.mayContain('src/configs')).toBe(false);
  });

  it('walks a fixed middle segment only where it matches', () => {
    const g = compileSourceGlobs(['exp/*/conf/*.yaml', './runs/**/'], []);
    expect(g.mayContain('exp')).toBe(true);
    expect(g.mayContain('exp/one')).toBe(true);
    expect(g.mayContain('exp/one/conf')).toBe(true);
    expect(g.mayContain('exp/one/other')).toBe(false);
    expect(g.mayContain('exp/one/conf/deeper')).toBe(false);
    expect(g.kind('exp/one/conf/a.yaml')).toBe('pin');
    expect(g.mayContain('runs/a/b')).toBe(true);
    expect(g.kind('runs/a/b/c')).toBe('pin');
  });
});
