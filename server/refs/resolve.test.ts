import { describe, expect, it } from 'vitest';
import { insideRoot, looksLikeCheckpoint, resolveCandidate, targetForms } from './resolve.js';

const ctx = { project: '/p', root: '/p/checkpoints', fileDir: '/p/configs/sub' };
const none = () => false;

describe('targetForms', () => {
  it('reads a candidate as absolute, project-relative and file-relative', () => {
    expect(targetForms('checkpoints/a.pt', ctx)).toEqual(['a.pt']);
    expect(targetForms('./checkpoints/a.pt', ctx)).toEqual(['a.pt']);
    expect(targetForms('/p/checkpoints/run/a.pt', ctx)).toEqual(['run/a.pt']);
    expect(targetForms('../../checkpoints/x.pt', ctx)).toEqual(['x.pt']);
    expect(targetForms('checkpoints/a/../b/./c.pt', ctx)).toEqual(['b/c.pt']);
    expect(targetForms('checkpoints/run/', ctx)).toEqual(['run']);
  });

  it('never names the root itself nor anything outside it', () => {
    expect(targetForms('checkpoints', ctx)).toEqual([]);
    expect(targetForms('checkpoints/..', ctx)).toEqual([]);
    expect(targetForms('/etc/passwd', ctx)).toEqual([]);
    expect(targetForms('other/a.pt', ctx)).toEqual([]);
  });

  it('does not take a sibling sharing the root prefix for the root', () => {
    const c = { project: '/data', root: '/data/ckpt', fileDir: '/data' };
    expect(targetForms('/data/ckpt-evil/a.pt', c)).toEqual([]);
    expect(targetForms('ckpt-evil/a.pt', c)).toEqual([]);
    expect(targetForms('ckpt/a.pt', c)).toEqual(['a.pt']);
    expect(insideRoot('/data/ckpt', '/data/ckptx')).toBeNull();
    expect(insideRoot('/data/ckpt', '/data/ckpt/')).toBeNull();
  });

  it('gives both forms when the file sits where both land inside the root', () => {
    const c = { project: '/p', root: '/p/scripts', fileDir: '/p/scripts' };
    expect(targetForms('scripts/a.pt', c)).toEqual(['a.pt', 'scripts/a.pt']);
  });
});

describe('resolveCandidate', () => {
  it('prefers the form that exists', () => {
    const c = { project: '/p', root: '/p/scripts', fileDir: '/p/scripts' };
    expect(resolveCandidate('scripts/a.pt', c, (r) => r === 'scripts/a.pt')).toEqual({ target: 'scripts/a.pt', missing: false });
  });

  it('reports a missing checkpoint-looking target and drops other words', () => {
    expect(resolveCandidate('checkpoints/gone/final_model.pt', ctx, none)).toEqual({ target: 'gone/final_model.pt', missing: true });
    expect(resolveCandidate('checkpoints/run/checkpoint-500', ctx, none)).toEqual({ target: 'run/checkpoint-500', missing: true });
    expect(resolveCandidate('checkpoints/ds/global_step12', ctx, none)).toEqual({ target: 'ds/global_step12', missing: true });
    expect(resolveCandidate('checkpoints/notes', ctx, none)).toBeNull();
    expect(resolveCandidate('checkpoints/run/notes', ctx, none)).toBeNull();
    expect(resolveCandidate('checkpoints/run/notes', ctx, (r) => r === 'run')).toEqual({ target: 'run/notes', missing: true });
  });

  it('knows model extensions whatever their case', () => {
    expect(looksLikeCheckpoint('a/B.SAFETENSORS', none)).toBe(true);
    expect(looksLikeCheckpoint('a/b.pth', none)).toBe(true);
    expect(looksLikeCheckpoint('a/b.ckpt', none)).toBe(true);
    expect(looksLikeCheckpoint('a/b.bin', none)).toBe(true);
    expect(looksLikeCheckpoint('a/b.json', none)).toBe(false);
    expect(looksLikeCheckpoint('checkpoint-x', none)).toBe(false);
  });
});
