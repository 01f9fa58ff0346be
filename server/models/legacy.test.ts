// The legacy (pre-1.6) torch format beyond the fixture: other pickle
// protocols, and storage records that are cut short or inconsistent.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from './byte-source.js';
import { LEGACY_MAGIC, startsWithLegacyMagic } from './legacy.js';
import { readCheckpointSource } from './read-checkpoint.js';
import { fixture } from './test-utils/fixtures.js';
import { pk } from './test-utils/pickle-builder.js';

const read = (b: Buffer) => readCheckpointSource(bufferSource(b), 0, { now: 1e13 });

/** A legacy file in pickle protocol 4: five framed pickles, then the storages' records. */
function legacyV4(records: Buffer[] = [count(6, 24)]): Buffer {
  const obj = pk().emptyDict().shortStr('epoch').int(11).setitem()
    .shortStr('w').stackGlobal('torch._utils', '_rebuild_tensor_v2')
    .mark().mark().shortStr('storage').stackGlobal('torch', 'FloatStorage').shortStr('140').shortStr('cpu').int(6).none().tuple().binpersid()
    .int(0).int(2).int(3).tuple2().int(3).int(1).tuple2().bool(false).stackGlobal('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce()
    .setitem().stop().framed(4);
  return Buffer.concat([
    pk().long1(LEGACY_MAGIC).stop().framed(4),
    pk().int(1001).stop().framed(4),
    pk().emptyDict().shortStr('little_endian').bool(true).setitem().stop().framed(4),
    obj,
    pk().emptyList().shortStr('140').append().stop().framed(4),
    ...records,
  ]);
}
function count(n: number, dataBytes: number): Buffer {
  const b = Buffer.alloc(8 + dataBytes);
  b.writeBigInt64LE(BigInt(n));
  return b;
}

describe('legacy torch files', () => {
  it('written with pickle protocol 4', () => {
    expect(startsWithLegacyMagic(legacyV4())).toBe(true);
    expect(read(legacyV4())).toMatchObject({ format: 'torch-legacy', epoch: 11, tensors: 1, parameters: 6, integrity: { status: 'ok' } });
  });

  it('storage records cut short, miscounted, or followed by junk', () => {
    expect(read(legacyV4([count(6, 10)])).integrity).toMatchObject({ status: 'truncated' });
    expect(read(legacyV4([count(5, 24)])).integrity).toEqual({ status: 'corrupt', detail: 'legacy storage 140 holds 5 elements, the pickle says 6' });
    expect(read(legacyV4([count(6, 24), Buffer.from('junk')])).integrity.detail).toMatch(/4 bytes after its last storage/);
    // Metadata survives a damaged data section.
    expect(read(legacyV4([count(6, 10)])).epoch).toBe(11);
  });

  it('the fixture cut anywhere is truncated or unreadable, never misread', () => {
    const whole = readFileSync(fixture('legacy.pt'));
    for (let n = 1; n < whole.length; n += 37) {
      const info = read(whole.subarray(0, n));
      expect(['truncated', 'unchecked'], `cut at ${n}`).toContain(info.integrity.status);
    }
  });
});
