// A minimal pickle (protocol 2) writer for checkpoint dicts, opcode by opcode,
// emitting only what `torch.load(weights_only=True)` accepts: dicts, lists,
// tuples, OrderedDict, scalars and tensors via torch._utils._rebuild_tensor_v2
// with storages passed through BINPERSID, the way torch.save lays them out.

/** A float even when its value is integral (4.0 must not pickle as int 4). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A dict with arbitrary (string or int) keys; `ordered` makes it a collections.OrderedDict. */
export class PyDict {
  constructor(
    readonly entries: Array<[string | number, PyValue]>,
    readonly ordered = false,
  ) {}
}

/** Tensor element types the writer knows, with torch's storage class and element size. */
export const DTYPES = {
  float32: { storage: 'FloatStorage', itemSize: 4 },
  float16: { storage: 'HalfStorage', itemSize: 2 },
  int64: { storage: 'LongStorage', itemSize: 8 },
} as const;
export type DType = keyof typeof DTYPES;

/** A contiguous CPU tensor whose bytes are all zero (the data is never materialized). */
export class Tensor {
  constructor(
    readonly shape: number[],
    readonly dtype: DType = 'float32',
  ) {
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`bad tensor dimension ${d}`);
    }
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get nbytes(): number {
    return this.numel * DTYPES[this.dtype].itemSize;
  }
}

/** Values the writer can pickle; a plain object is a dict with string keys, a number is an int when integral. */
export type PyValue =
  | null
  | boolean
  | number
  | string
  | PyFloat
  | PyTuple
  | PyDict
  | Tensor
  | PyValue[]
  | { [key: string]: PyValue };

/** A storage the pickle refers to by key: it becomes the zip entry `data/<key>`. */
export interface StorageRef {
  key: string;
  tensor: Tensor;
}

const OP = {
  PROTO: 0x80,
  STOP: 0x2e, // .
  MARK: 0x28, // (
  NONE: 0x4e, // N
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  LONG1: 0x8a,
  BINFLOAT: 0x47, // G
  BINUNICODE: 0x58, // X
  EMPTY_TUPLE: 0x29, // )
  TUPLE: 0x74, // t
  EMPTY_LIST: 0x5d, // ]
  APPENDS: 0x65, // e
  EMPTY_DICT: 0x7d, // }
  SETITEMS: 0x75, // u
  GLOBAL: 0x63, // c
  REDUCE: 0x52, // R
  BINPERSID: 0x51, // Q
} as const;

class Out {
  private parts: Buffer[] = [];
  op(code: number): void {
    this.parts.push(Buffer.from([code]));
  }
  bytes(b: Buffer): void {
    this.parts.push(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function writeInt(out: Out, n: number): void {
  if (n >= 0 && n < 0x100) {
    out.bytes(Buffer.from([OP.BININT1, n]));
  } else if (n >= 0 && n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = OP.BININT2;
    b.writeUInt16LE(n, 1);
    out.bytes(b);
  } else if (n >= -0x80000000 && n <= 0x7fffffff) {
    const b = Buffer.alloc(5);
    b[0] = OP.BININT;
    b.writeInt32LE(n, 1);
    out.bytes(b);
  } else {
    // LONG1: little-endian two's complement, as short as the sign allows.
    let v = BigInt(n);
    const bytes: number[] = [];
    for (;;) {
      const byte = Number(v & 0xffn);
      bytes.push(byte);
      v >>= 8n;
      if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
    }
    out.bytes(Buffer.from([OP.LONG1, bytes.length, ...bytes]));
  }
}

function writeString(out: Out, s: string): void {
  const utf8 = Buffer.from(s, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = OP.BINUNICODE;
  head.writeUInt32LE(utf8.length, 1);
  out.bytes(head);
  out.bytes(utf8);
}

function writeGlobal(out: Out, module: string, name: string): void {
  out.op(OP.GLOBAL);
  out.bytes(Buffer.from(`${module}\n${name}\n`, 'ascii'));
}

function writeTuple(out: Out, items: PyValue[], ctx: Ctx): void {
  if (items.length === 0) return out.op(OP.EMPTY_TUPLE);
  out.op(OP.MARK);
  for (const item of items) writeValue(out, item, ctx);
  out.op(OP.TUPLE);
}

function writeEntries(out: Out, entries: Array<[string | number, PyValue]>, ctx: Ctx): void {
  if (entries.length === 0) return;
  out.op(OP.MARK);
  for (const [k, v] of entries) {
    writeValue(out, k, ctx);
    writeValue(out, v, ctx);
  }
  out.op(OP.SETITEMS);
}

function writeEmptyOrderedDict(out: Out): void {
  writeGlobal(out, 'collections', 'OrderedDict');
  out.op(OP.EMPTY_TUPLE);
  out.op(OP.REDUCE);
}

function writeTensor(out: Out, t: Tensor, ctx: Ctx): void {
  const key = String(ctx.storages.length);
  ctx.storages.push({ key, tensor: t });
  writeGlobal(out, 'torch._utils', '_rebuild_tensor_v2');
  out.op(OP.MARK);
  // Persistent id: ('storage', torch.<X>Storage, key, location, numel).
  out.op(OP.MARK);
  writeString(out, 'storage');
  writeGlobal(out, 'torch', DTYPES[t.dtype].storage);
  writeString(out, key);
  writeString(out, 'cpu');
  writeInt(out, t.numel);
  out.op(OP.TUPLE);
  out.op(OP.BINPERSID);
  writeInt(out, 0); // storage offset
  writeTuple(out, t.shape, ctx);
  // Contiguous (row-major) strides.
  const stride: number[] = [];
  let acc = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    stride.unshift(acc);
    acc *= t.shape[i];
  }
  writeTuple(out, stride, ctx);
  out.op(OP.NEWFALSE); // requires_grad
  writeEmptyOrderedDict(out); // backward_hooks
  out.op(OP.TUPLE);
  out.op(OP.REDUCE);
}

interface Ctx {
  storages: StorageRef[];
}

function writeValue(out: Out, v: PyValue, ctx: Ctx): void {
  if (v === null) return out.op(OP.NONE);
  if (typeof v === 'boolean') return out.op(v ? OP.NEWTRUE : OP.NEWFALSE);
  if (typeof v === 'string') return writeString(out, v);
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return writeInt(out, v);
    v = new PyFloat(v);
  }
  if (v instanceof PyFloat) {
    const b = Buffer.alloc(9);
    b[0] = OP.BINFLOAT;
    b.writeDoubleBE(v.value, 1); // pickle floats are big-endian
    return out.bytes(b);
  }
  if (v instanceof PyTuple) return writeTuple(out, v.items, ctx);
  if (v instanceof Tensor) return writeTensor(out, v, ctx);
  if (v instanceof PyDict) {
    if (v.ordered) writeEmptyOrderedDict(out);
    else out.op(OP.EMPTY_DICT);
    return writeEntries(out, v.entries, ctx);
  }
  if (Array.isArray(v)) {
    out.op(OP.EMPTY_LIST);
    if (v.length === 0) return;
    out.op(OP.MARK);
    for (const item of v) writeValue(out, item, ctx);
    return out.op(OP.APPENDS);
  }
  out.op(OP.EMPTY_DICT);
  writeEntries(out, Object.entries(v), ctx);
}

/** Pickles `value` (protocol 2) and lists the tensor storages it refers to, keys "0", "1", … in order. */
export function pickleCheckpoint(value: PyValue): { pickle: Buffer; storages: StorageRef[] } {
  const out = new Out();
  const ctx: Ctx = { storages: [] };
  out.bytes(Buffer.from([OP.PROTO, 2]));
  writeValue(out, value, ctx);
  out.op(OP.STOP);
  return { pickle: out.done(), storages: ctx.storages };
}
