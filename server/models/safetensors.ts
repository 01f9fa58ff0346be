// safetensors: an 8-byte little-endian header length, a JSON header
// (tensor name → dtype, shape, data_offsets; optional __metadata__ of
// strings), then the tensor bytes, packed from offset 0 to the end of file.
import { readExact, type ByteSource } from './byte-source.js';
import { corrupt, truncated } from './errors.js';
import { epochAndStep, metricsOf, numberScalar, type Scalar } from './metric-names.js';

/**
 * Headers larger than this are refused. The format's own readers allow 100 MB, but a header is
 * read whole and held two or three times over (bytes, string, parsed JSON) on the server's event
 * loop; real ones are ~150 bytes per tensor, so this still fits 200,000 tensors.
 */
export const MAX_SAFETENSORS_HEADER = 32 * 1024 * 1024;

/** safetensors dtype codes → torch names and element size in bytes (sub-byte types as fractions). */
const DTYPES: Readonly<Record<string, [string, number]>> = {
  F64: ['float64', 8], F32: ['float32', 4], F16: ['float16', 2], BF16: ['bfloat16', 2],
  I64: ['int64', 8], I32: ['int32', 4], I16: ['int16', 2], I8: ['int8', 1],
  U64: ['uint64', 8], U32: ['uint32', 4], U16: ['uint16', 2], U8: ['uint8', 1], BOOL: ['bool', 1],
  F8_E4M3: ['float8_e4m3fn', 1], F8_E5M2: ['float8_e5m2', 1], F8_E8M0: ['float8_e8m0fnu', 1],
  C64: ['complex64', 8], C128: ['complex128', 16], F4: ['float4_e2m1fn_x2', 0.5],
};

/** One tensor as the header describes it; offsets are relative to the data section. */
export interface SafetensorsTensor {
  name: string;
  /** The torch dtype name when known, else the file's code. */
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** A parsed header. */
export interface SafetensorsHeader {
  headerLength: number;
  /** Offset of the data section in the file. */
  dataStart: number;
  metadata: Record<string, string>;
  tensors: SafetensorsTensor[];
}

/**
 * True when the first bytes start like safetensors: a length, then `{"` (or `{}` / `{` and
 * whitespace). The length is not checked here, so a header claiming a terabyte is still
 * recognised, then refused with a reason by readSafetensorsHeader.
 */
export function looksLikeSafetensors(head: Buffer): boolean {
  if (head.length < 10) return false;
  const n = head.readBigUInt64LE(0);
  const next = head[9];
  return n >= 2n && head[8] === 0x7b && (next === 0x22 || next === 0x7d || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads and checks the header (not the data layout: see checkSafetensorsLayout). */
export function readSafetensorsHeader(src: ByteSource): SafetensorsHeader {
  if (src.size < 8) throw truncated(`safetensors file of ${src.size} bytes has no header length`);
  const n = readExact(src, 0, 8, 'header length').readBigUInt64LE(0);
  if (n > BigInt(MAX_SAFETENSORS_HEADER)) throw corrupt(`safetensors header claims ${n} bytes (limit ${MAX_SAFETENSORS_HEADER})`);
  const headerLength = Number(n);
  if (8 + headerLength > src.size) throw truncated(`safetensors header of ${headerLength} bytes runs past the end of the file`);
  let json: unknown;
  try {
    json = JSON.parse(readExact(src, 8, headerLength, 'header').toString('utf8'));
  } catch {
    throw corrupt('safetensors header is not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw corrupt('safetensors header is not a JSON object');
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensor[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object') throw corrupt('safetensors __metadata__ is not an object');
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) metadata[k] = typeof x === 'string' ? x : JSON.stringify(x);
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (t === null || typeof t !== 'object') throw corrupt(`safetensors entry ${name} is not an object`);
    const offsets = t.data_offsets;
    if (typeof t.dtype !== 'string' || !Array.isArray(t.shape) || !t.shape.every(isCount)) throw corrupt(`safetensors entry ${name} has a bad dtype or shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1]) || offsets[1] < offsets[0]) {
      throw corrupt(`safetensors entry ${name} has bad data_offsets`);
    }
    const shape = t.shape as number[];
    const known = DTYPES[t.dtype];
    if (known) {
      const expected = Math.ceil(shape.reduce((a, b) => a * b, 1) * known[1]);
      if (offsets[1] - offsets[0] !== expected) throw corrupt(`safetensors entry ${name} spans ${offsets[1] - offsets[0]} bytes, its shape needs ${expected}`);
    }
    tensors.push({ name, dtype: known ? known[0] : t.dtype, shape, begin: offsets[0], end: offsets[1] });
  }
  return { headerLength, dataStart: 8 + headerLength, metadata, tensors };
}

/** Checks that the tensors tile the data section exactly, from 0 to the end of the file. */
export function checkSafetensorsLayout(header: SafetensorsHeader, fileSize: number): void {
  const dataLength = fileSize - header.dataStart;
  const sorted = [...header.tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of sorted) {
    if (t.begin !== cursor) {
      throw corrupt(t.begin > cursor ? `safetensors data has a gap before ${t.name}` : `safetensors data of ${t.name} overlaps another tensor`);
    }
    cursor = t.end;
  }
  if (cursor > dataLength) throw truncated(`safetensors data needs ${cursor} bytes, the file holds ${dataLength}`);
  if (cursor < dataLength) throw corrupt(`safetensors file has ${dataLength - cursor} bytes after its last tensor`);
}

/** What a safetensors header tells: counts, dtypes, and __metadata__ values (numbers where they look like numbers). */
export function safetensorsMetadata(header: SafetensorsHeader): {
  epoch?: number;
  step?: number;
  metrics: Record<string, number>;
  scalars: Record<string, Scalar>;
  tensors: number;
  parameters: number;
  dtypes: string[];
} {
  const scalars: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(header.metadata)) {
    scalars[k] = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? numberScalar(Number(v)) : v;
  }
  let parameters = 0;
  for (const t of header.tensors) parameters += t.shape.reduce((a, b) => a * b, 1);
  return {
    ...epochAndStep(scalars),
    metrics: metricsOf(scalars),
    scalars,
    tensors: header.tensors.length,
    parameters,
    dtypes: [...new Set(header.tensors.map((t) => t.dtype))].sort(),
  };
}
