// The zip layer on real and hand-built archives: ZIP64 (forced small, and a
// real sparse archive past 4 GiB), comments, compressed entries, and every
// way the structure can be cut short or made inconsistent.
import { closeSync, openSync, readFileSync, statSync, writeFileSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/temp.js';
import { bufferSource, fdSource } from './byte-source.js';
import { ModelReadError } from './errors.js';
import { readZipDirectory } from './zip.js';
import { fixture, readFile, verify } from './test-utils/fixtures.js';
import { pk } from './test-utils/pickle-builder.js';
import { writeTorchZip, writeZip } from './test-utils/zip-builder.js';

const twoTensors = () => pk().proto(2).emptyDict().str('epoch').int(5).setitem()
  .str('state_dict').global('collections', 'OrderedDict').emptyTuple().reduce()
  .str('w').tensor('0', [4, 4]).setitem().str('b').tensor('1', [4]).setitem().setitem().stop().done();
const storages = () => [{ key: '0', data: Buffer.alloc(64, 1) }, { key: '1', data: Buffer.alloc(16, 2) }];

function zipError(data: Buffer): ModelReadError {
  try {
    readZipDirectory(bufferSource(data));
  } catch (err) {
    expect(err).toBeInstanceOf(ModelReadError);
    return err as ModelReadError;
  }
  throw new Error('expected the directory to be refused');
}

describe('zip directory', () => {
  it('reads the top folder from the first entry, whatever it is called', () => {
    const dir = tempDir();
    for (const top of ['archive', 'my model (v2)', 'épocas']) {
      const file = path.join(dir, `${top}.pt`);
      writeTorchZip(file, top, twoTensors(), storages());
      const d = readZipDirectory(bufferSource(readFileSync(file)));
      expect(d.top).toBe(top);
      const info = readFile(file);
      expect([info.format, info.epoch, info.tensors, info.parameters, info.integrity.status]).toEqual(['torch-zip', 5, 2, 20, 'ok']);
    }
  });

  it('forced ZIP64 records (end record, locator, extra fields) on a small file', async () => {
    const file = path.join(tempDir(), 'z64.pt');
    writeTorchZip(file, 'z64', twoTensors(), storages(), { zip64: true });
    const d = readZipDirectory(bufferSource(readFileSync(file)));
    expect(d.zip64).toBe(true);
    expect(d.entries.map((e) => e.name)).toEqual(['z64/data.pkl', 'z64/data/0', 'z64/data/1', 'z64/version']);
    expect(readFile(file)).toMatchObject({ tensors: 2, integrity: { status: 'ok' } });
    expect((await verify(file)).status).toBe('ok');
  });

  it('a real ZIP64 archive past 4 GiB (sparse) is read with bounded reads', async () => {
    const file = path.join(tempDir(), 'big.pt');
    const cols = 1_200_000_000;
    const pickle = pk().proto(2).emptyDict().str('epoch').int(9).setitem().str('model_state_dict').global('collections', 'OrderedDict').emptyTuple().reduce()
      .str('w').tensor('0', [1, cols]).setitem().setitem().stop().done();
    const { size, offsets } = writeTorchZip(file, 'big', pickle, [{ key: '0', zeros: cols * 4 }], { zip64: true });
    expect(size).toBeGreaterThan(2 ** 32);
    expect(offsets[2].header).toBeGreaterThan(2 ** 32); // the version entry sits past 4 GiB
    expect(statSync(file).blocks * 512).toBeLessThan(1024 * 1024); // sparse: a few blocks on disk
    const info = readFile(file);
    expect(info).toMatchObject({ epoch: 9, tensors: 1, parameters: cols, integrity: { status: 'ok' } });
    // The full check streams 4.8 GB: cancelled after its first chunk, it rejects as aborted.
    const ac = new AbortController();
    const seen: number[] = [];
    await expect(verify(file, { signal: ac.signal, onProgress: (p) => (seen.push(p.bytesDone), ac.abort()) })).rejects.toThrow(/abort/i);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBeLessThan(cols * 4);
  });

  it('an archive comment, and deflated entries', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.pt');
    writeZip(file, [
      { name: 'c/data.pkl', data: twoTensors(), deflate: true },
      { name: 'c/data/0', data: Buffer.alloc(64, 1) },
      { name: 'c/data/1', data: Buffer.alloc(16, 2) },
    ], { comment: Buffer.from('saved by a zip tool that adds comments') });
    expect(readFile(file)).toMatchObject({ format: 'torch-zip', tensors: 2, integrity: { status: 'ok' } });
    const v = await verify(file);
    expect(v.status).toBe('ok');
    expect(v.skipped).toEqual(['data.pkl']);
  });

  it('a zip that is not a torch file, and an empty zip', () => {
    const dir = tempDir();
    const plain = path.join(dir, 'plain.pt');
    writeZip(plain, [{ name: 'readme.txt', data: Buffer.from('hello') }]);
    expect(readFile(plain)).toMatchObject({ format: 'unknown', integrity: { status: 'unchecked' } });
    const empty = path.join(dir, 'empty.pt');
    writeZip(empty, []);
    expect(readFile(empty)).toMatchObject({ format: 'unknown', integrity: { status: 'unchecked' } });
  });
});

describe('cut short: always truncated, never corrupt', () => {
  it('checkpoint_epoch007.pt cut at every 50th byte', () => {
    const dir = tempDir();
    const whole = readFileSync(fixture('checkpoint_epoch007.pt'));
    for (let n = 0; n < whole.length; n += 50) {
      const file = path.join(dir, `cut-${n}.pt`);
      writeFileSync(file, whole.subarray(0, n));
      const info = readFile(file);
      expect(info.integrity.status, `cut at ${n}`).toBe('truncated');
      // Once data.pkl is whole (bytes 64–1659), the metadata survives.
      if (n >= 1659) expect(info.epoch, `cut at ${n}`).toBe(7);
    }
  });
});

describe('inconsistent structure: corrupt, with the reason', () => {
  const base = () => {
    const file = path.join(tempDir(), 'x.pt');
    writeTorchZip(file, 'x', twoTensors(), storages());
    return readFileSync(file);
  };
  const eocd = (b: Buffer) => b.length - 22;

  it('central directory offset pointing into the data', () => {
    const b = base();
    b.writeUInt32LE(10, eocd(b) + 16);
    expect(zipError(b).problem).toBe('corrupt');
  });

  it('entry count larger than the directory', () => {
    const b = base();
    b.writeUInt16LE(9, eocd(b) + 10);
    expect(zipError(b).message).toMatch(/9 entries cannot fit a central directory/);
  });

  it('junk after the end record', () => {
    expect(zipError(Buffer.concat([base(), Buffer.from('junk')])).message).toMatch(/does not reach the end/);
  });

  it('a local header overwritten, an entry running into the directory', () => {
    const dir = tempDir();
    const b = base();
    b.writeUInt32LE(0x11111111, 0);
    writeFileSync(path.join(dir, 'sig.pt'), b);
    expect(readFile(path.join(dir, 'sig.pt')).integrity).toMatchObject({ status: 'corrupt', detail: expect.stringMatching(/local header of x\/data.pkl/) });
    const c = base();
    const d = readZipDirectory(bufferSource(c));
    // Grow data/1's sizes in its central entry so its data runs over the next entry and the directory.
    let p = d.cdOffset;
    for (let i = 0; i < 2; i++) p += 46 + c.readUInt16LE(p + 28);
    c.writeUInt32LE(100, p + 20);
    c.writeUInt32LE(100, p + 24);
    writeFileSync(path.join(dir, 'grow.pt'), c);
    expect(readFile(path.join(dir, 'grow.pt')).integrity).toMatchObject({ status: 'corrupt', detail: expect.stringMatching(/overlap/) });
    // Claimed data past the end of the file reads as a file cut short: data beyond EOF counts as truncated.
    c.writeUInt32LE(5000, p + 20);
    c.writeUInt32LE(5000, p + 24);
    writeFileSync(path.join(dir, 'beyond.pt'), c);
    expect(readFile(path.join(dir, 'beyond.pt')).integrity.status).toBe('truncated');
  });

  it('a storage the pickle uses is missing, or too small', () => {
    const dir = tempDir();
    writeTorchZip(path.join(dir, 'missing.pt'), 'm', twoTensors(), [{ key: '0', data: Buffer.alloc(64) }]);
    expect(readFile(path.join(dir, 'missing.pt')).integrity).toEqual({ status: 'corrupt', detail: 'entry data/1 is missing (the pickle uses it)' });
    writeTorchZip(path.join(dir, 'small.pt'), 's', twoTensors(), [{ key: '0', data: Buffer.alloc(60) }, { key: '1', data: Buffer.alloc(16) }]);
    expect(readFile(path.join(dir, 'small.pt')).integrity.detail).toMatch(/data\/0 holds 60 bytes, the pickle needs 64/);
  });

  it('ZIP64 locator pointing at nothing', () => {
    const file = path.join(tempDir(), 'z.pt');
    writeTorchZip(file, 'z', twoTensors(), storages(), { zip64: true });
    const b = readFileSync(file);
    b.writeUInt32LE(0x22222222, b.length - 22 - 20 - 56); // the ZIP64 end record's signature
    expect(zipError(b).message).toMatch(/ZIP64 end record signature/);
  });

  it('bad input sizes never escape as anything but ModelReadError', () => {
    for (const data of [Buffer.alloc(0), Buffer.alloc(21), Buffer.from('PK\x05\x06', 'latin1')]) {
      expect(zipError(data)).toBeInstanceOf(ModelReadError);
    }
    const fd = openSync(fixture('state_dict.pt'), 'r');
    try {
      expect(readZipDirectory(fdSource(fd, fstatSync(fd).size)).entries).toHaveLength(6);
    } finally {
      closeSync(fd);
    }
  });
});
