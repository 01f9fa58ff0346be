import { describe, expect, it } from 'vitest';
import { naturalCompare, naturalCompareDesc } from './natural-sort.js';

describe('naturalCompare', () => {
  it('orders numbers by value, not by characters', () => {
    const names = ['epoch 10', 'epoch 9', 'epoch 100', 'epoch 1', 'epoch 2'];
    expect([...names].sort(naturalCompare)).toEqual(['epoch 1', 'epoch 2', 'epoch 9', 'epoch 10', 'epoch 100']);
  });

  it('handles checkpoint names with several numbers', () => {
    const names = ['checkpoint_epoch10_step2.pt', 'checkpoint_epoch9_step10.pt', 'checkpoint_epoch9_step9.pt'];
    expect([...names].sort(naturalCompare)).toEqual([
      'checkpoint_epoch9_step9.pt',
      'checkpoint_epoch9_step10.pt',
      'checkpoint_epoch10_step2.pt',
    ]);
  });

  it('compares digit runs longer than a double can hold', () => {
    expect(naturalCompare('a123456789012345678901', 'a123456789012345678902')).toBeLessThan(0);
    expect(naturalCompare('a99999999999999999999', 'a100000000000000000000')).toBeLessThan(0);
  });

  it('folds ASCII case first and breaks ties deterministically', () => {
    expect(naturalCompare('Best.pt', 'best.pt')).toBeLessThan(0);
    expect(naturalCompare('best.pt', 'Best.pt')).toBeGreaterThan(0);
    expect(naturalCompare('apple', 'Banana')).toBeLessThan(0);
    expect(naturalCompare('same', 'same')).toBe(0);
  });

  it('puts fewer leading zeros first among equal numbers', () => {
    expect([...['e01', 'e1', 'e001', 'e2']].sort(naturalCompare)).toEqual(['e1', 'e01', 'e001', 'e2']);
  });

  it('puts a prefix first', () => {
    expect(naturalCompare('run', 'run1')).toBeLessThan(0);
    expect(naturalCompare('run1', 'run')).toBeGreaterThan(0);
    expect(naturalCompare('', 'a')).toBeLessThan(0);
  });

  it('is a total order (antisymmetric, transitive) on a mixed sample', () => {
    const sample = ['a', 'A', 'a1', 'a01', 'a1b', 'a10', 'a2', 'b', '10', '9', '09', 'x_9_y', 'x_10_y', 'é', 'Z', '', '0', '00'];
    const sorted = [...sample].sort(naturalCompare);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        const c = Math.sign(naturalCompare(sorted[i], sorted[j]));
        expect(c + 0).toBe(-Math.sign(naturalCompare(sorted[j], sorted[i])) + 0);
        if (i < j) expect(c).toBeLessThanOrEqual(0);
      }
    }
  });

  it('sorts random names consistently with every pairwise comparison', () => {
    const parts = ['a', 'B', 'b', '0', '1', '9', '10', '007', '_', ' ', '.pt'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const names = Array.from({ length: 300 }, () =>
      Array.from({ length: 1 + rand(4) }, () => parts[rand(parts.length)]).join(''),
    );
    const sorted = [...names].sort(naturalCompare);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) expect(naturalCompare(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
    }
  });

  it('has a descending twin', () => {
    expect(['epoch 9', 'epoch 10'].sort(naturalCompareDesc)).toEqual(['epoch 10', 'epoch 9']);
  });
});
