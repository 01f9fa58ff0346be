import { describe, expect, it } from 'vitest';
import { findCandidates, MAX_STRUCTURED_CHARS, scanJsonCandidates, scanText, scanToml, scanYaml, tokenizeLine } from './parse.js';
import { scanJson } from './parse-json.js';

describe('JSON', () => {
  it('gives every string value with its line and key path', () => {
    const text = [
      '{',
      '  "name": "x",',
      '  "models": ["a.pt",',
      '     "b.pt"],',
      '  "ensemble": { "members": [ {"path": "c\\u002fd.pt"}, {"w": 1.5e-3, "ok": true, "n": null} ] },',
      '  "odd key": {"a.b": "e.pt"}',
      '}',
    ].join('\n');
    expect(scanJson(text)).toEqual([
      { value: 'x', line: 2, key: 'name' },
      { value: 'a.pt', line: 3, key: 'models[0]' },
      { value: 'b.pt', line: 4, key: 'models[1]' },
      { value: 'c/d.pt', line: 5, key: 'ensemble.members[0].path' },
      { value: 'e.pt', line: 6, key: '["odd key"]["a.b"]' },
    ]);
  });

  it('refuses invalid JSON so the caller can read it as text', () => {
    for (const bad of ['{"a": 1,}', '{"a" 1}', '[1 2]', '{"a": "x\ny"}', '{"a": tru}', '{} x', '"abc', '{"a": "\\q"}']) {
      expect(scanJson(bad), bad).toBeNull();
    }
    expect(scanJson('[' .repeat(2000) + ']'.repeat(2000))).toBeNull();
    expect(scanJson('\ufeff ["a"] ')).toEqual([{ value: 'a', line: 1, key: '[0]' }]);
  });

  it('falls back to text on invalid JSON, still finding the paths', () => {
    const text = '{\n  "models": [\n    "checkpoints/a.pt",\n  ]\n}\n';
    const r = findCandidates(text, 'json');
    expect(r.format).toBe('text');
    expect(r.candidates).toContainEqual({ value: 'checkpoints/a.pt', line: 3 });
  });

  it('splits a command-line value into tokens on the same line and key', () => {
    const c = scanJsonCandidates('{"run": "python eval.py --ckpt checkpoints/a.pt"}');
    expect(c).toContainEqual({ value: 'checkpoints/a.pt', line: 1, key: 'run' });
  });
});

describe('YAML', () => {
  it('visits scalar strings of every document with key paths and lines', () => {
    const text = [
      'name: best',
      'models:',
      '  - checkpoints/a.pt',
      '  - path: "checkpoints/b.pt"',
      '    weight: 0.5',
      'anchor: &x checkpoints/c.pt',
      'again: *x',
      'run: |',
      '  python eval.py \\',
      '    --ckpt checkpoints/d.pt',
      '---',
      'other: checkpoints/e.pt',
    ].join('\n');
    const c = scanYaml(text)!;
    expect(c).toContainEqual({ value: 'checkpoints/a.pt', line: 3, key: 'models[0]' });
    expect(c).toContainEqual({ value: 'checkpoints/b.pt', line: 4, key: 'models[1].path' });
    expect(c).toContainEqual({ value: 'checkpoints/c.pt', line: 6, key: 'anchor' });
    expect(c.filter((x) => x.value === 'checkpoints/c.pt')).toHaveLength(1);
    expect(c).toContainEqual({ value: 'checkpoints/d.pt', line: 10, key: 'run' });
    expect(c).toContainEqual({ value: 'checkpoints/e.pt', line: 12, key: 'other' });
  });

  it('reads a YAML file too big to parse quickly as text, keeping the lines', () => {
    const text = Array.from({ length: 8000 }, (_, i) => `k${i}:\n  path: checkpoints/run${i}/final_model.pt\n`).join('');
    expect(text.length).toBeGreaterThan(MAX_STRUCTURED_CHARS);
    const r = findCandidates(text, 'yaml');
    expect(r.format).toBe('text');
    expect(r.candidates).toContainEqual({ value: 'checkpoints/run7999/final_model.pt', line: 16000 });
  });

  it('returns null on a syntax error', () => {
    expect(scanYaml('a: [1, 2\nb: c')).toBeNull();
    expect(findCandidates('a: [checkpoints/x.pt\n', 'yaml').format).toBe('text');
  });
});

describe('TOML', () => {
  it('gives string values with key paths and the line where each is written', () => {
    const text = [
      'title = "x"',
      '[model]',
      'path = "checkpoints/a.pt"',
      'members = [',
      '  "checkpoints/b.pt",',
      "  'checkpoints/c.pt',",
      ']',
      '[[runs]]',
      'ckpt = "checkpoints/a.pt"',
      'when = 2024-01-01',
    ].join('\n');
    const c = scanToml(text)!;
    expect(c).toContainEqual({ value: 'checkpoints/a.pt', line: 3, key: 'model.path' });
    expect(c).toContainEqual({ value: 'checkpoints/b.pt', line: 5, key: 'model.members[0]' });
    expect(c).toContainEqual({ value: 'checkpoints/c.pt', line: 6, key: 'model.members[1]' });
    expect(c).toContainEqual({ value: 'checkpoints/a.pt', line: 9, key: 'runs[0].ckpt' });
  });

  it('returns null on a syntax error', () => {
    expect(scanToml('a = "x\nb = 1')).toBeNull();
  });
});

describe('text', () => {
  it('finds the literal pieces in shell and Python lines', () => {
    expect(tokenizeLine('python eval.py --ckpt checkpoints/a/b.pt')).toContain('checkpoints/a/b.pt');
    expect(tokenizeLine('MODEL="./checkpoints/x/final_model.pt"')).toContain('./checkpoints/x/final_model.pt');
    expect(tokenizeLine('path = Path("checkpoints") / "y"')).toEqual(expect.arrayContaining(['checkpoints', 'y']));
    expect(tokenizeLine("model = load('../checkpoints/z.pt')")).toContain('../checkpoints/z.pt');
    expect(tokenizeLine('MODELS=(checkpoints/a.pt checkpoints/b.pt)')).toEqual(['MODELS', 'checkpoints/a.pt', 'checkpoints/b.pt']);
    expect(tokenizeLine('  checkpoints/c.pt')).toEqual(['checkpoints/c.pt']);
    expect(tokenizeLine('see checkpoints/d.pt.')).toContain('checkpoints/d.pt');
    expect(tokenizeLine('paths = ["checkpoints/e.pt", "checkpoints/f.pt"]')).toEqual(['paths', 'checkpoints/e.pt', 'checkpoints/f.pt']);
  });

  it('ignores variables, globs, templates, URLs and very long strings', () => {
    expect(tokenizeLine('cp $OUT/a.pt ${ROOT}/checkpoints/b.pt checkpoints/*.pt')).toEqual(['cp']);
    expect(tokenizeLine('f"{root}/x.pt" https://host/checkpoints/a.pt')).toEqual(['f']);
    expect(tokenizeLine('for model in "${MODELS[@]}"; do')).toEqual(['for', 'model', 'in', '@', 'do']);
    expect(tokenizeLine(`x ${'a'.repeat(5000)}`)).toEqual(['x']);
    expect(tokenizeLine('cd .. && ls .')).toEqual(['cd', 'ls']);
  });

  it('numbers lines from 1 and handles CRLF', () => {
    expect(scanText('a\r\nb c.pt\r\n')).toEqual([
      { value: 'a', line: 1 },
      { value: 'b', line: 2 },
      { value: 'c.pt', line: 2 },
    ]);
  });
});
