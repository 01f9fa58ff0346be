// Test-only: writes safetensors files (zero tensor bytes) with an optional __metadata__.
import { writeFileSync } from 'node:fs';

const SIZES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, U8: 1 };

/** Writes `tensors` in order, packed from offset 0; returns the file size. */
export function writeSafetensors(file: string, tensors: Array<{ name: string; dtype?: string; shape: number[] }>, metadata?: Record<string, string>): number {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let at = 0;
  for (const t of tensors) {
    const dtype = t.dtype ?? 'F32';
    const bytes = t.shape.reduce((a, b) => a * b, 1) * SIZES[dtype];
    header[t.name] = { dtype, shape: t.shape, data_offsets: [at, at + bytes] };
    at += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const data = Buffer.concat([len, json, Buffer.alloc(at)]);
  writeFileSync(file, data);
  return data.length;
}
