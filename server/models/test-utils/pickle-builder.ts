// Test-only: writes pickles opcode by opcode, so tests can build exactly the
// byte sequences they mean (every protocol, hostile ones included) without
// Python.
import { OP } from '../pickle-ops.js';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** A pickle under construction; every method appends one opcode and returns the builder. */
export class PickleBuilder {
  private parts: Buffer[] = [];

  raw(...bytes: Array<number | Buffer>): this {
    for (const b of bytes) this.parts.push(typeof b === 'number' ? Buffer.from([b]) : b);
    return this;
  }
  op(code: number, ...args: Array<number | Buffer>): this {
    return this.raw(code, ...args);
  }
  line(code: number, text: string): this {
    return this.raw(code, Buffer.from(`${text}\n`, 'utf8'));
  }

  proto(v: number): this { return this.op(OP.PROTO, v); }
  stop(): this { return this.op(OP.STOP); }
  mark(): this { return this.op(OP.MARK); }
  none(): this { return this.op(OP.NONE); }
  bool(v: boolean): this { return this.op(v ? OP.NEWTRUE : OP.NEWFALSE); }
  int(n: number): this {
    if (n >= 0 && n < 0x100) return this.op(OP.BININT1, n);
    if (n >= 0 && n < 0x10000) {
      const b = Buffer.alloc(2);
      b.writeUInt16LE(n);
      return this.op(OP.BININT2, b);
    }
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return this.op(OP.BININT, b);
  }
  long1(v: bigint): this {
    const bytes: number[] = [];
    let x = v;
    for (;;) {
      const byte = Number(x & 0xffn);
      bytes.push(byte);
      x >>= 8n;
      if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
    }
    return this.op(OP.LONG1, bytes.length, Buffer.from(bytes));
  }
  float(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return this.op(OP.BINFLOAT, b);
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.op(OP.BINUNICODE, u32(b.length), b);
  }
  shortStr(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.op(OP.SHORT_BINUNICODE, b.length, b);
  }
  str8(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.op(OP.BINUNICODE8, u64(b.length), b);
  }
  bytes(b: Buffer): this {
    return b.length < 256 ? this.op(OP.SHORT_BINBYTES, b.length, b) : this.op(OP.BINBYTES, u32(b.length), b);
  }
  bytes8(b: Buffer): this { return this.op(OP.BINBYTES8, u64(b.length), b); }
  bytearray8(b: Buffer): this { return this.op(OP.BYTEARRAY8, u64(b.length), b); }
  /** An opcode whose 4- or 8-byte length field claims `n` bytes (hostile lengths). */
  claim(code: number, n: number | bigint, width: 4 | 8): this { return this.op(code, width === 4 ? u32(Number(n)) : u64(n)); }

  global(module: string, name: string): this { return this.raw(OP.GLOBAL, Buffer.from(`${module}\n${name}\n`, 'utf8')); }
  stackGlobal(module: string, name: string): this { return this.shortStr(module).shortStr(name).op(OP.STACK_GLOBAL); }
  inst(module: string, name: string): this { return this.raw(OP.INST, Buffer.from(`${module}\n${name}\n`, 'utf8')); }

  emptyTuple(): this { return this.op(OP.EMPTY_TUPLE); }
  tuple(): this { return this.op(OP.TUPLE); }
  tuple1(): this { return this.op(OP.TUPLE1); }
  tuple2(): this { return this.op(OP.TUPLE2); }
  tuple3(): this { return this.op(OP.TUPLE3); }
  emptyList(): this { return this.op(OP.EMPTY_LIST); }
  append(): this { return this.op(OP.APPEND); }
  appends(): this { return this.op(OP.APPENDS); }
  emptyDict(): this { return this.op(OP.EMPTY_DICT); }
  setitem(): this { return this.op(OP.SETITEM); }
  setitems(): this { return this.op(OP.SETITEMS); }
  emptySet(): this { return this.op(OP.EMPTY_SET); }
  additems(): this { return this.op(OP.ADDITEMS); }
  frozenset(): this { return this.op(OP.FROZENSET); }
  reduce(): this { return this.op(OP.REDUCE); }
  build(): this { return this.op(OP.BUILD); }
  newobj(): this { return this.op(OP.NEWOBJ); }
  newobjEx(): this { return this.op(OP.NEWOBJ_EX); }
  binpersid(): this { return this.op(OP.BINPERSID); }
  dup(): this { return this.op(OP.DUP); }
  pop(): this { return this.op(OP.POP); }
  popMark(): this { return this.op(OP.POP_MARK); }

  binput(i: number): this { return this.op(OP.BINPUT, i); }
  longBinput(i: number): this { return this.op(OP.LONG_BINPUT, u32(i)); }
  memoize(): this { return this.op(OP.MEMOIZE); }
  binget(i: number): this { return this.op(OP.BINGET, i); }
  longBinget(i: number): this { return this.op(OP.LONG_BINGET, u32(i)); }

  /** `_rebuild_tensor_v2(storage('storage', torch.<cls>, key, 'cpu', numel), 0, shape, stride, False, OrderedDict())`. */
  tensor(key: string, shape: number[], storageClass = 'FloatStorage'): this {
    const numel = shape.reduce((a, b) => a * b, 1);
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().str('storage').global('torch', storageClass).str(key).str('cpu').int(numel).tuple().binpersid();
    this.int(0).mark();
    for (const d of shape) this.int(d);
    this.tuple().mark();
    let acc = 1;
    const stride: number[] = [];
    for (let i = shape.length - 1; i >= 0; i--) {
      stride.unshift(acc);
      acc *= shape[i];
    }
    for (const s of stride) this.int(s);
    this.tuple().bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
    return this;
  }

  /** The bytes so far. */
  done(): Buffer {
    return Buffer.concat(this.parts);
  }

  /** The bytes so far wrapped as protocol 4 does: PROTO 4, then one FRAME around everything. */
  framed(proto = 4): Buffer {
    const body = this.done();
    return Buffer.concat([Buffer.from([OP.PROTO, proto, OP.FRAME]), u64(body.length), body]);
  }
}

/** A new builder. */
export const pk = (): PickleBuilder => new PickleBuilder();
