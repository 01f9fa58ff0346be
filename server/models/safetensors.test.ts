// safetensors headers: metadata values, and every layout rule.
import { describe, expect, it } from 'vitest';
import { bufferSource } from './byte-source.js';
import { ModelReadError } from './errors.js';
import { readCheckpointSource } from './read-checkpoint.js';
import { checkSafetensorsLayout, MAX_SAFETENSORS_HEADER, readSafetensorsHeader, safetensorsMetadata } from './safetensors.js';

function file(header: unknown, dataBytes: number, rawHeader?: string): Buffer {
  const json = Buffer.from(rawHeader ?? JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
}
const t = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

function layoutError(buf: Buffer): ModelReadError {
  try {
    checkSafetensorsLayout(readSafetensorsHeader(bufferSource(buf)), buf.length);
  } catch (err) {
    expect(err).toBeInstanceOf(ModelReadError);
    return err as ModelReadError;
  }
  throw new Error('expected a refusal');
}

describe('safetensors', () => {
  it('numeric-looking metadata becomes epoch, step and metrics; counts and dtypes from the header', () => {
    const buf = file({ __metadata__: { epoch: '7', global_step: '1400', val_loss: '0.125', note: 'best' }, a: t(0, 16), b: { dtype: 'BF16', shape: [2, 2], data_offsets: [16, 24] } }, 24);
    const m = safetensorsMetadata(readSafetensorsHeader(bufferSource(buf)));
    expect(m).toEqual({
      epoch: 7, step: 1400, metrics: { val_loss: 0.125 }, scalars: { epoch: 7, global_step: 1400, val_loss: 0.125, note: 'best' },
      tensors: 2, parameters: 8, dtypes: ['bfloat16', 'float32'],
    });
    expect(readCheckpointSource(bufferSource(buf), 0, { now: 1e13 })).toMatchObject({ format: 'safetensors', epoch: 7, integrity: { status: 'ok' } });
  });

  it('tensors must tile the data from 0 to the end of the file', () => {
    expect(layoutError(file({ a: t(0, 8), b: t(12, 16) }, 16)).message).toMatch(/gap before b/);
    expect(layoutError(file({ a: t(0, 8), b: t(4, 12) }, 12)).message).toMatch(/overlaps/);
    expect(layoutError(file({ a: t(0, 8) }, 12)).message).toMatch(/4 bytes after its last tensor/);
    const cut = layoutError(file({ a: t(0, 8), b: t(8, 16) }, 10));
    expect([cut.problem, cut.message]).toEqual(['truncated', 'safetensors data needs 16 bytes, the file holds 10']);
    expect(layoutError(file({ a: t(0, 8, [3]) }, 8)).message).toMatch(/spans 8 bytes, its shape needs 12/);
    expect(layoutError(file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4)).message).toMatch(/bad dtype or shape/);
    expect(layoutError(file(null, 0, '{"a": ')).message).toMatch(/not valid JSON/);
    expect(layoutError(file(null, 0, '[1, 2]')).message).toMatch(/not a JSON object/);
  });

  it('a header longer than the file is truncated; longer than the limit is refused', () => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(1000n);
    const cut = Buffer.concat([len, Buffer.from('{"a":')]);
    expect(readCheckpointSource(bufferSource(cut), 0, { now: 1e13 }).integrity.status).toBe('truncated');
    len.writeBigUInt64LE(200n * 1024n * 1024n);
    const huge = Buffer.concat([len, Buffer.from('{"a": 1}')]);
    expect(readCheckpointSource(bufferSource(huge), 0, { now: 1e13 }).integrity).toMatchObject({ status: 'corrupt', detail: expect.stringMatching(new RegExp(`limit ${MAX_SAFETENSORS_HEADER}`)) });
  });
});
