import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount } from './format.js';

describe('formatBytes (binary units, as du -h)', () => {
  it('shows bytes below 1 KiB as whole bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('uses powers of 1024 with one decimal', () => {
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(46 * 2 ** 20)).toBe('46.0 MiB');
    expect(formatBytes(22 * 2 ** 30)).toBe('22.0 GiB');
    expect(formatBytes(143_684_334_987)).toBe('133.8 GiB');
    expect(formatBytes(1.5 * 2 ** 40)).toBe('1.5 TiB');
  });

  it('carries into the next unit instead of printing 1024.0', () => {
    expect(formatBytes(2 ** 20 - 10)).toBe('1.0 MiB');
    expect(formatBytes(Math.round(1023.9 * 1024))).toBe('1023.9 KiB');
  });

  it('handles negative deltas and odd input', () => {
    expect(formatBytes(-2 * 2 ** 20)).toBe('-2.0 MiB');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1125)).toBe('1,125');
    expect(formatCount(1_000_000)).toBe('1,000,000');
    expect(formatCount(-4200)).toBe('-4,200');
  });
});
