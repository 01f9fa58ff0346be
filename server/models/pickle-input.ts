// The byte cursor and budget under the pickle machine: bounded reads that
// fail as `truncated` when the pickle stops early, the caps that fail as
// `limit`, and Python's scalar encodings.
import { corrupt, overLimit, truncated } from './errors.js';

const MAX_LINE = 64 * 1024;

/** Resource caps; every one fails the read with a `limit` error when reached. */
export interface PickleLimits {
  maxOpcodes: number;
  maxMemo: number;
  /** MARK nesting. */
  maxDepth: number;
  /** Container items, stack entries and objects, together (a dict or stub counts 8). */
  maxItems: number;
  /** Total str/bytes payload. */
  maxBytes: number;
  /** Size of one arbitrary-precision int (LONG1/LONG4/LONG). */
  maxLongBytes: number;
}

// Enough for a checkpoint of ~100,000 tensors; a hostile file stays within ~100 MB of memory.
export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxOpcodes: 20_000_000,
  maxMemo: 2_000_000,
  maxDepth: 1_000,
  maxItems: 4_000_000,
  maxBytes: 64 * 1024 * 1024,
  maxLongBytes: 1024,
};

/** A read position in a pickle held in memory. */
export class PickleInput {
  private itemCount = 0;
  private byteCount = 0;

  constructor(
    protected readonly data: Buffer,
    protected pos: number,
    protected readonly limits: PickleLimits,
  ) {}

  items(n: number): void {
    this.itemCount += n;
    if (this.itemCount > this.limits.maxItems) throw overLimit(`pickle holds more than ${this.limits.maxItems} items`);
  }

  bytes(n: number): void {
    this.byteCount += n;
    if (this.byteCount > this.limits.maxBytes) throw overLimit(`pickle strings exceed ${this.limits.maxBytes} bytes`);
  }

  protected string(b: Buffer): string {
    this.bytes(b.length);
    return b.toString('utf8');
  }
  protected binBytes(b: Buffer): Buffer {
    this.bytes(b.length);
    return Buffer.from(b);
  }
  protected long(b: Buffer): number | bigint {
    if (b.length > this.limits.maxLongBytes) throw overLimit(`integer of ${b.length} bytes (limit ${this.limits.maxLongBytes})`);
    return decodeLong(b);
  }
  protected textInt(s: string, what: string): number | bigint {
    if (s.length > this.limits.maxLongBytes * 3) throw overLimit(`${what}: integer of ${s.length} digits`);
    return decodeTextInt(s, what);
  }
  protected need(n: number, what: string): void {
    if (this.pos + n > this.data.length) throw truncated(`pickle ends inside ${what} at byte ${this.pos}`);
  }
  protected u8(what: string): number {
    this.need(1, what);
    return this.data[this.pos++];
  }
  protected uint(n: 1 | 2 | 4 | 8, what: string): number {
    this.need(n, what);
    const d = this.data;
    const p = this.pos;
    this.pos += n;
    if (n === 1) return d[p];
    if (n === 2) return d.readUInt16LE(p);
    if (n === 4) return d.readUInt32LE(p);
    const v = d.readBigUInt64LE(p);
    // Anything past 2^53 is beyond the data we hold anyway.
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  protected take(n: number, what: string): Buffer {
    if (n > this.data.length - this.pos) throw truncated(`${what} of ${n} bytes runs past the end of the pickle`);
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  protected line(what: string): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > MAX_LINE) {
      if (end < 0 && this.data.length - this.pos <= MAX_LINE) throw truncated(`pickle ends inside ${what}`);
      throw overLimit(`${what} line longer than ${MAX_LINE} bytes`);
    }
    const s = this.data.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }}

function normalizeInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** LONG1/LONG4: little-endian two's complement; a number when it fits exactly, else a bigint. */
export function decodeLong(b: Buffer): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return normalizeInt(v);
}

/** INT/LONG/GET/PUT text arguments ("123", "123L"). */
export function decodeTextInt(s: string, what: string): number | bigint {
  const t = s.trim().replace(/L$/, '');
  if (!/^[-+]?\d+$/.test(t)) throw corrupt(`${what} is not an integer: ${JSON.stringify(s.slice(0, 40))}`);
  return normalizeInt(BigInt(t));
}

/** FLOAT text arguments, as Python's repr writes them (inf and nan included). */
export function pyFloat(s: string): number {
  const t = s.trim();
  if (/^[-+]?inf$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[-+]?nan$/i.test(t)) return NaN;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw corrupt(`FLOAT is not a number: ${JSON.stringify(t.slice(0, 40))}`);
  return v;
}
