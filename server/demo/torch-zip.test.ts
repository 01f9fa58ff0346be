import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PyDict, PyFloat, PyTuple, Tensor } from './pickle-writer.js';
import { layoutTorchZip, torchStem, writeTorchZip } from './torch-zip.js';
import { crcOfEntry, readEntry, readZip } from './test-utils/zip-reader.js';
import { unpickleCheckpoint } from './test-utils/py-unpickle.js';
import { crc32OfZeros } from './zero-crc.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ckptdash-torchzip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = () => ({
  epoch: 7,
  val_px: 4.04,
  val_loss: 0.12,
  whole: new PyFloat(4),
  big: 3_000_000_000,
  negative: -5,
  name: 'résumé',
  flags: [true, false, null],
  pair: new PyTuple([1, 'a']),
  model_state_dict: new PyDict([
    ['fc.weight', new Tensor([300, 64])],
    ['fc.bias', new Tensor([300])],
  ], true),
  optimizer: { state: new PyDict([[0, { step: new Tensor([]) }]]) },
});

describe('torch zip writer', () => {
  it('writes a zip whose structure and CRCs check out', async () => {
    const file = path.join(dir, 'checkpoint_epoch7.pt');
    const layout = await writeTorchZip(file, sample());
    expect((await stat(file)).size).toBe(layout.size);
    const zip = await readZip(file);
    const names = zip.entries.map((e) => e.name);
    expect(names[0]).toBe('checkpoint_epoch7/data.pkl');
    expect(names).toEqual(expect.arrayContaining(['checkpoint_epoch7/version', 'checkpoint_epoch7/byteorder', 'checkpoint_epoch7/data/0', 'checkpoint_epoch7/data/1', 'checkpoint_epoch7/data/2']));
    for (const e of zip.entries) {
      expect(e.name.startsWith('checkpoint_epoch7/')).toBe(true);
      expect(e.method).toBe(0);
      expect(e.compressedSize).toBe(e.size);
      expect(e.dataOffset % 64, e.name).toBe(0);
      const bytes = await readEntry(file, e);
      expect(zlib.crc32(bytes), e.name).toBe(e.crc32);
    }
    const entry = (suffix: string) => zip.entries.find((e) => e.name.endsWith(suffix))!;
    expect((await readEntry(file, entry('/version'))).toString()).toBe('3\n');
    expect((await readEntry(file, entry('/byteorder'))).toString()).toBe('little');
    expect(entry('/data/0').size).toBe(300 * 64 * 4);
    expect(entry('/data/1').size).toBe(300 * 4);
    expect(entry('/data/2').size).toBe(4);
    const pkl = await readEntry(file, entry('/data.pkl'));
    expect([pkl[0], pkl[1], pkl[pkl.length - 1]]).toEqual([0x80, 2, 0x2e]);
  });

  it('passes unzip -t', async () => {
    const file = path.join(dir, 'unzip_me.pt');
    await writeTorchZip(file, sample());
    const out = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(out).toMatch(/No errors detected/);
  });

  it('holds a pickle that a restricted unpickler reads back', async () => {
    const file = path.join(dir, 'pickled.pt');
    await writeTorchZip(file, sample());
    const obj = unpickleCheckpoint(file) as Record<string, any>;
    expect(obj.epoch).toBe(7);
    expect(obj.val_px).toBe(4.04);
    expect(obj.whole).toBe(4);
    expect(obj.big).toBe(3_000_000_000);
    expect(obj.negative).toBe(-5);
    expect(obj.name).toBe('résumé');
    expect(obj.flags).toEqual([true, false, null]);
    expect(obj.pair).toEqual([1, 'a']);
    expect(obj.model_state_dict['fc.weight']).toEqual({
      tensor: { class: 'FloatStorage', key: '0', location: 'cpu', numel: 19200 },
      offset: 0,
      shape: [300, 64],
      stride: [64, 1],
      requires_grad: false,
    });
    expect(obj.model_state_dict['fc.bias'].tensor.key).toBe('1');
    expect(obj.optimizer.state['0'].step).toMatchObject({ shape: [], stride: [], tensor: { key: '2', numel: 1 } });
  });

  it('leaves big tensor data as a hole with the CRC of its zeros', async () => {
    const file = path.join(dir, 'final_model.pt');
    const layout = await writeTorchZip(file, { epoch: 1, model_state_dict: new PyDict([['fc.weight', new Tensor([10_000, 1024])]], true) });
    const st = await stat(file);
    expect(st.size).toBeGreaterThan(40_000_000);
    expect(st.blocks * 512).toBeLessThan(64 * 1024);
    const big = (await readZip(file)).entries.find((e) => e.name === 'final_model/data/0')!;
    expect(big.size).toBe(40_960_000);
    expect(big.crc32).toBe(crc32OfZeros(big.size));
    expect(await crcOfEntry(file, big)).toBe(big.crc32);
    expect(layout.entries.find((e) => e.name === big.name)?.zeros).toBe(true);
  });

  it('names the folder after the file stem', () => {
    expect(torchStem('/a/b/checkpoint_epoch7.pt')).toBe('checkpoint_epoch7');
    expect(torchStem('best_model_7.21px.pt')).toBe('best_model_7.21px');
    expect(torchStem('model')).toBe('model');
  });

  it('refuses archives that would need ZIP64', () => {
    expect(() => layoutTorchZip('huge', { w: new Tensor([2 ** 30 + 1]) })).toThrow(/ZIP64/);
    expect(() => layoutTorchZip('huge', { a: new Tensor([2 ** 29 + 2 ** 28]), b: new Tensor([2 ** 29 + 2 ** 28]) })).toThrow(/ZIP64/);
  });
});
