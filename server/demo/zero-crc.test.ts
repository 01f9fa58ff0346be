import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32AppendZeros, crc32Combine, crc32OfZeros } from './zero-crc.js';

const MiB = 1 << 20;

describe('CRC-32 of zeros without the zeros', () => {
  it('matches zlib.crc32 of real zero buffers', () => {
    const lengths = [0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 63, 64, 65, 100, 255, 256, 1000, 4095, 4096, 65535, 65536, MiB + 3, 7 * MiB + 17];
    for (let i = 0; i < 40; i++) lengths.push(Math.floor(Math.random() * 300_000));
    for (const n of lengths) expect(crc32OfZeros(n), `n=${n}`).toBe(zlib.crc32(Buffer.alloc(n)));
  });

  it('appends zeros to any prefix', () => {
    for (const [a, n] of [[0, 5], [1, 0], [10, 1], [333, 64], [4096, 123_457]]) {
      const prefix = randomBytes(a);
      const expected = zlib.crc32(Buffer.concat([prefix, Buffer.alloc(n)]));
      expect(crc32AppendZeros(zlib.crc32(prefix), n)).toBe(expected);
      // zlib's own continuation agrees as well.
      expect(crc32AppendZeros(zlib.crc32(prefix), n)).toBe(zlib.crc32(Buffer.alloc(n), zlib.crc32(prefix)));
    }
  });

  it('combines two CRCs like zlib crc32_combine', () => {
    for (let i = 0; i < 30; i++) {
      const a = randomBytes(Math.floor(Math.random() * 5000));
      const b = randomBytes(Math.floor(Math.random() * 5000));
      expect(crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length)).toBe(zlib.crc32(Buffer.concat([a, b])));
    }
  });

  it('is consistent for lengths beyond 4 GiB', () => {
    // No reference buffer that big: check that splitting the zeros anywhere gives the same CRC.
    const total = 5 * 2 ** 30 + 12_345;
    const whole = crc32OfZeros(total);
    for (const cut of [1, 2 ** 31, 2 ** 32, 2 ** 32 + 7, total - 1]) {
      expect(crc32AppendZeros(crc32OfZeros(cut), total - cut)).toBe(whole);
      expect(crc32Combine(crc32OfZeros(cut), crc32OfZeros(total - cut), total - cut)).toBe(whole);
    }
  });

  it('rejects lengths that are not non-negative safe integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) expect(() => crc32OfZeros(bad)).toThrow(RangeError);
  });
});
