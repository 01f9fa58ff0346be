// What REDUCE, NEWOBJ, BUILD and persistent ids turn into. Python would call
// the named global; here a few allowlisted ones become plain values (an
// OrderedDict becomes a dict, _rebuild_tensor_v2 a tensor stub, _codecs
// encode bytes) and everything else becomes an inert PyObject stub. No
// global is ever imported or called.
import { DTYPE_SIZES, dtypeOfGlobal, dtypeOfStorageClass } from './allowlist.js';
import { corrupt } from './errors.js';
import { PyDict, PyGlobal, PyObject, PySet, PyTuple, StorageStub, TensorStub, pyTypeName, sequenceItems, type PyValue } from './py-values.js';

/** What the calls need from the machine: the storages seen so far and the resource budget. */
export interface CallContext {
  storages: Map<string, StorageStub>;
  /** Charges container items (throws when over the cap). */
  items(n: number): void;
  /** Charges string or bytes payload (throws when over the cap). */
  bytes(n: number): void;
}

function intArg(v: PyValue | undefined, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw corrupt(`${what} is not a non-negative integer (${pyTypeName(v)})`);
}

function shapeArg(v: PyValue | undefined, what: string): number[] {
  const items = sequenceItems(v);
  if (!items) throw corrupt(`${what} is not a tuple (${pyTypeName(v)})`);
  const shape = items.map((d, i) => intArg(d, `${what}[${i}]`));
  // A product beyond 2^53 cannot be a real tensor (nor be summed exactly).
  if (shape.reduce((a, b) => a * b, 1) > Number.MAX_SAFE_INTEGER) throw corrupt(`${what} describes an impossibly large tensor`);
  return shape;
}

function tensorFromStorage(storage: PyValue | undefined, offset: PyValue | undefined, size: PyValue | undefined, dtype?: string): TensorStub {
  const shape = shapeArg(size, 'tensor size');
  const off = intArg(offset, 'storage offset');
  if (storage instanceof StorageStub) {
    const dt = dtype ?? storage.dtype;
    return new TensorStub(dt, DTYPE_SIZES[dt] ?? 0, shape, storage, off);
  }
  // A storage that did not come through a persistent id: keep the shape, the data is unknown.
  return new TensorStub(dtype ?? 'unknown', dtype ? (DTYPE_SIZES[dtype] ?? 0) : 0, shape, null, off);
}

function dtypeArg(v: PyValue | undefined): string {
  return v instanceof PyGlobal ? (dtypeOfGlobal(v.module, v.name) ?? 'unknown') : 'unknown';
}

function rebuildTensor(name: string, args: PyValue[]): PyValue | undefined {
  switch (name) {
    case '_rebuild_tensor':
    case '_rebuild_tensor_v2':
    case '_rebuild_qtensor':
      return tensorFromStorage(args[0], args[1], args[2]);
    case '_rebuild_tensor_v3':
      return tensorFromStorage(args[0], args[1], args[2], dtypeArg(args[6]));
    case '_rebuild_meta_tensor_no_storage': {
      const dt = dtypeArg(args[0]);
      return new TensorStub(dt, DTYPE_SIZES[dt] ?? 0, shapeArg(args[1], 'tensor size'), null, 0);
    }
    case '_rebuild_parameter':
    case '_rebuild_parameter_with_state': {
      const data = args[0];
      if (data instanceof TensorStub) data.parameter = true;
      return data ?? null;
    }
    default:
      return undefined;
  }
}

function pairsInto(dict: PyDict, source: PyValue | undefined, ctx: CallContext): void {
  if (source === undefined || source === null) return;
  if (source instanceof PyDict) {
    ctx.items(source.map.size);
    for (const [k, v] of source.map) dict.map.set(k, v);
    return;
  }
  const pairs = sequenceItems(source);
  if (!pairs) throw corrupt(`${dict.kind} built from a ${pyTypeName(source)}`);
  ctx.items(pairs.length);
  for (const p of pairs) {
    const kv = sequenceItems(p);
    if (!kv || kv.length !== 2) throw corrupt(`${dict.kind} item is not a pair`);
    dict.map.set(kv[0], kv[1]);
  }
}

function encode(text: PyValue | undefined, encoding: PyValue | undefined, ctx: CallContext): Buffer {
  if (typeof text !== 'string') throw corrupt(`_codecs.encode of a ${pyTypeName(text)}`);
  const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace(/[-_]/g, '') : 'utf8';
  let out: Buffer;
  if (enc === 'latin1' || enc === 'iso88591') out = Buffer.from(text, 'latin1');
  else if (enc === 'utf8' || enc === 'ascii') out = Buffer.from(text, 'utf8');
  else throw corrupt(`_codecs.encode with encoding ${String(encoding)}`);
  ctx.bytes(out.length);
  return out;
}

function byteArray(args: PyValue[], ctx: CallContext): Buffer {
  const [src, enc] = args;
  if (src === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(src)) return (ctx.bytes(src.length), Buffer.from(src));
  if (typeof src === 'string') return encode(src, enc, ctx);
  const items = sequenceItems(src);
  if (!items) throw corrupt(`bytearray built from a ${pyTypeName(src)}`);
  ctx.bytes(items.length);
  return Buffer.from(items.map((b) => intArg(b, 'bytearray item') & 0xff));
}

function device(args: PyValue[]): string {
  const [type, index] = args;
  if (typeof type !== 'string') throw corrupt(`torch.device of a ${pyTypeName(type)}`);
  return typeof index === 'number' ? `${type}:${index}` : type;
}

/** REDUCE: `fn(*args)`, for a placeholder `fn`. `depth` counts _rebuild_from_type_v2 wrapping, which real files do once. */
export function callGlobal(fn: PyValue, args: PyValue[], ctx: CallContext, depth = 0): PyValue {
  if (depth > 8) throw corrupt('_rebuild_from_type_v2 nested more than 8 deep');
  if (!(fn instanceof PyGlobal)) throw corrupt(`REDUCE on a ${pyTypeName(fn)}, which cannot be called`);
  ctx.items(args.length + 1);
  if (!fn.safe) return new PyObject(fn, args);
  const m = fn.module === '__builtin__' ? 'builtins' : fn.module;
  if (m === 'torch._utils') return rebuildTensor(fn.name, args) ?? new PyObject(fn, args);
  switch (`${m} ${fn.name}`) {
    case 'collections OrderedDict':
    case 'collections Counter': {
      const d = new PyDict(fn.name === 'Counter' ? 'Counter' : 'OrderedDict');
      pairsInto(d, args[0], ctx);
      return d;
    }
    case 'builtins set':
    case 'builtins frozenset': {
      const items = args[0] === undefined ? [] : sequenceItems(args[0]);
      if (!items) throw corrupt(`${fn.name} built from a ${pyTypeName(args[0])}`);
      ctx.items(items.length);
      return new PySet([...items], fn.name === 'frozenset');
    }
    case 'builtins bytearray':
      return byteArray(args, ctx);
    case '_codecs encode':
      return encode(args[0], args[1], ctx);
    case 'torch Size': {
      const items = sequenceItems(args[0] ?? new PyTuple([]));
      if (!items) throw corrupt(`torch.Size of a ${pyTypeName(args[0])}`);
      return new PyTuple([...items]);
    }
    case 'torch device':
      return device(args);
    case 'torch.nn.parameter Parameter': {
      const data = args[0];
      if (data instanceof TensorStub) data.parameter = true;
      return data ?? new PyObject(fn, args);
    }
    case 'torch._tensor _rebuild_from_type_v2': {
      // (func, new_type, args, state): a tensor subclass (Parameter) rebuilt by func.
      const inner = sequenceItems(args[2]) ?? [];
      const result = args[0] instanceof PyGlobal ? callGlobal(args[0], inner, ctx, depth + 1) : new PyObject(fn, args);
      if (result instanceof TensorStub && args[1] instanceof PyGlobal && args[1].name === 'Parameter') result.parameter = true;
      return result;
    }
    default:
      return new PyObject(fn, args);
  }
}

/** NEWOBJ / NEWOBJ_EX / INST / OBJ: `cls.__new__(cls, *args)`, for a placeholder `cls`. */
export function newObject(cls: PyValue, args: PyValue[], ctx: CallContext): PyValue {
  if (!(cls instanceof PyGlobal)) throw corrupt(`NEWOBJ on a ${pyTypeName(cls)}, which is not a class`);
  const m = cls.module === '__builtin__' ? 'builtins' : cls.module;
  const key = `${m} ${cls.name}`;
  if (cls.safe && (key === 'collections OrderedDict' || key === 'collections Counter' || key === 'builtins set' || key === 'builtins frozenset')) {
    return callGlobal(cls, [], ctx);
  }
  ctx.items(args.length + 1);
  return new PyObject(cls, args);
}

/** BUILD: `inst.__setstate__(state)` or a `__dict__` update, kept as data on the stub. */
export function build(inst: PyValue, state: PyValue): void {
  if (inst instanceof PyObject) inst.state = state;
  else if (inst instanceof PyDict) inst.attrs = state;
  else if (inst instanceof TensorStub || inst instanceof PySet) return; // A Parameter's or set's extra state: nothing to show.
  else throw corrupt(`BUILD on a ${pyTypeName(inst)}`);
}

/** BINPERSID/PERSID: torch's `('storage', <storage class or dtype>, key, location, numel[, view])`. */
export function persistentLoad(pid: PyValue, ctx: CallContext): PyValue {
  const items = sequenceItems(pid);
  if (!items || items[0] !== 'storage') {
    const kind = items && typeof items[0] === 'string' ? items[0] : pyTypeName(pid);
    // Old torch pickled a whole module's source this way ('module', cls, file, source): keep the class visible.
    return new PyObject(new PyGlobal('persistent_id', kind, true), items ?? [pid]);
  }
  if (items.length < 5) throw corrupt(`storage persistent id has ${items.length} fields, not 5`);
  const [, type, rawKey, location, numel] = items;
  if (typeof rawKey !== 'string' && typeof rawKey !== 'number') throw corrupt(`storage key is a ${pyTypeName(rawKey)}`);
  const key = String(rawKey);
  const seen = ctx.storages.get(key);
  if (seen) return seen;
  let dtype = 'unknown';
  if (type instanceof PyGlobal) dtype = dtypeOfStorageClass(type.module, type.name) ?? dtypeOfGlobal(type.module, type.name) ?? 'unknown';
  const stub = new StorageStub(key, dtype, DTYPE_SIZES[dtype] ?? 0, intArg(numel, 'storage size'), typeof location === 'string' ? location : 'unknown');
  ctx.storages.set(key, stub);
  ctx.items(1);
  return stub;
}
