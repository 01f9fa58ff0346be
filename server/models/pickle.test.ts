// The restricted pickle reader, opcode family by opcode family and protocol
// by protocol, on hand-built pickles.
import { describe, expect, it } from 'vitest';
import { ModelReadError } from './errors.js';
import { unpickle } from './pickle.js';
import { OP } from './pickle-ops.js';
import { PyDict, PyGlobal, PyObject, PySet, PyTuple, StorageStub, TensorStub, type PyValue } from './py-values.js';
import { pk } from './test-utils/pickle-builder.js';

const load = (b: Buffer): PyValue => unpickle(b).value;
const dict = (v: PyValue): Record<string, PyValue> => {
  expect(v).toBeInstanceOf(PyDict);
  return Object.fromEntries([...(v as PyDict).map].map(([k, x]) => [String(k), x]));
};
const tuple = (v: PyValue): PyValue[] => {
  expect(v).toBeInstanceOf(PyTuple);
  return (v as PyTuple).items;
};
function refusal(b: Buffer): ModelReadError {
  try {
    unpickle(b);
  } catch (err) {
    expect(err).toBeInstanceOf(ModelReadError);
    return err as ModelReadError;
  }
  throw new Error('expected the pickle to be refused');
}

describe('protocol 2 (what torch.save writes)', () => {
  it('scalars: None, bools, BININT1/2/BININT, LONG1 (small, negative, beyond 2^53), LONG4, BINFLOAT', () => {
    const b = pk().proto(2).mark()
      .none().bool(true).bool(false).int(7).int(700).int(-5).int(100_000)
      .long1(-1n).long1(2n ** 64n + 1n).long1(123456789012n)
      .op(OP.LONG4, Buffer.from([2, 0, 0, 0, 0x34, 0x12])).float(4.04)
      .tuple().stop().done();
    expect(tuple(load(b))).toEqual([null, true, false, 7, 700, -5, 100_000, -1, 2n ** 64n + 1n, 123456789012, 0x1234, 4.04]);
  });

  it('containers: EMPTY_TUPLE, TUPLE1-3, lists with APPEND/APPENDS, dicts with SETITEM/SETITEMS', () => {
    const b = pk().proto(2).emptyDict()
      .str('t0').emptyTuple().setitem()
      .mark().str('t1').int(1).tuple1().str('t2').int(1).int(2).tuple2().str('t3').int(1).int(2).int(3).tuple3().setitems()
      .str('list').emptyList().int(1).append().mark().int(2).int(3).appends().setitem()
      .stop().done();
    const d = dict(load(b));
    expect(tuple(d.t0)).toEqual([]);
    expect(tuple(d.t1)).toEqual([1]);
    expect(tuple(d.t2)).toEqual([1, 2]);
    expect(tuple(d.t3)).toEqual([1, 2, 3]);
    expect(d.list).toEqual([1, 2, 3]);
  });

  it('memo: BINPUT/BINGET and LONG_BINPUT/LONG_BINGET share one object', () => {
    const b = pk().proto(2).emptyList().binput(0).longBinput(70000)
      .mark().binget(0).longBinget(70000).tuple()
      .stop().done();
    const [a, c] = tuple(load(b));
    expect(a).toBe(c);
  });

  it('GLOBAL + REDUCE: OrderedDict becomes an ordered dict, BUILD keeps its attributes apart', () => {
    const b = pk().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce()
      .mark().str('b').int(2).str('a').int(1).setitems()
      .emptyDict().str('_metadata').emptyDict().setitem().build()
      .stop().done();
    const v = load(b) as PyDict;
    expect(v.kind).toBe('OrderedDict');
    expect([...v.map.keys()]).toEqual(['b', 'a']);
    expect(dict(v.attrs!)).toHaveProperty('_metadata');
  });

  it('BINPERSID + _rebuild_tensor_v2: a tensor stub with dtype, shape, numel and storage key', () => {
    const b = pk().proto(2).tensor('0', [16, 8]).stop().done();
    const r = unpickle(b);
    const t = r.value as TensorStub;
    expect(t).toBeInstanceOf(TensorStub);
    expect({ dtype: t.dtype, shape: t.shape, numel: t.numel, key: t.storage?.key }).toEqual({ dtype: 'float32', shape: [16, 8], numel: 128, key: '0' });
    expect(r.storages.get('0')).toBeInstanceOf(StorageStub);
    expect(r.globals.every((g) => g.safe)).toBe(true);
  });

  it('storage classes set the dtype and element size', () => {
    for (const [cls, dtype, size] of [['HalfStorage', 'float16', 2], ['LongStorage', 'int64', 8], ['BFloat16Storage', 'bfloat16', 2], ['BoolStorage', 'bool', 1]] as const) {
      const t = load(pk().proto(2).tensor('k', [3], cls).stop().done()) as TensorStub;
      expect([t.dtype, t.nbytes]).toEqual([dtype, 3 * size]);
    }
  });

  it('NEWOBJ and BUILD on an unknown class give an inert stub holding the state', () => {
    const b = pk().proto(2).global('__main__', 'Net').emptyTuple().newobj().emptyDict().str('training').bool(true).setitem().build().stop().done();
    const v = load(b) as PyObject;
    expect(v).toBeInstanceOf(PyObject);
    expect(v.cls).toMatchObject({ module: '__main__', name: 'Net', safe: false });
    expect(dict(v.state!)).toEqual({ training: true });
  });

  it('DUP, POP and POP_MARK', () => {
    const b = pk().proto(2).mark().int(1).dup().int(9).pop().mark().int(5).int(6).popMark().tuple().stop().done();
    expect(tuple(load(b))).toEqual([1, 1]);
  });

  it('_codecs encode (how protocol 2 carries bytes), Size, device, set, bytearray', () => {
    const b = pk().proto(2).mark()
      .global('_codecs', 'encode').str('\u00ff\u0001').str('latin1').tuple2().reduce()
      .global('torch', 'Size').int(2).int(3).tuple2().tuple1().reduce()
      .global('torch', 'device').str('cuda').int(1).tuple2().reduce()
      .global('__builtin__', 'set').emptyList().int(1).append().tuple1().reduce()
      .global('builtins', 'bytearray').str('hi').str('utf-8').tuple2().reduce()
      .tuple().stop().done();
    const [bytes, size, device, set, ba] = tuple(load(b));
    expect(bytes).toEqual(Buffer.from([0xff, 0x01]));
    expect(tuple(size)).toEqual([2, 3]);
    expect(device).toBe('cuda:1');
    expect((set as PySet).items).toEqual([1]);
    expect(ba).toEqual(Buffer.from('hi'));
  });
});

describe('protocols 0 and 1 (text opcodes)', () => {
  it('INT, LONG, FLOAT, STRING, UNICODE, BINSTRING, SHORT_BINSTRING, PUT/GET, DICT, LIST, TUPLE', () => {
    const b = pk().mark()
      .line(OP.INT, '01').line(OP.INT, '00').line(OP.INT, '-42').line(OP.LONG, '123456789012345678901234567890L')
      .line(OP.FLOAT, '0.25').line(OP.FLOAT, 'inf')
      .line(OP.STRING, "'it\\'s\\n\\x41'").line(OP.UNICODE, 'caf\\u00e9')
      .op(OP.BINSTRING, Buffer.from([3, 0, 0, 0]), Buffer.from('abc')).op(OP.SHORT_BINSTRING, 2, Buffer.from('xy'))
      .line(OP.PUT, '5').pop().line(OP.GET, '5')
      .mark().line(OP.STRING, "'k'").line(OP.INT, '1').op(OP.DICT)
      .mark().line(OP.INT, '1').line(OP.INT, '2').op(OP.LIST)
      .tuple().stop().done();
    const items = tuple(load(b));
    expect(items.slice(0, 10)).toEqual([true, false, -42, 123456789012345678901234567890n, 0.25, Infinity, "it's\nA", 'café', 'abc', 'xy']);
    // 'xy' was memoized (PUT 5), popped, and brought back by GET 5.
    expect(items).toHaveLength(12);
    expect(dict(items[10])).toEqual({ k: 1 });
    expect(items[11]).toEqual([1, 2]);
  });

  it('INST and OBJ build inert stubs and record the class', () => {
    const b = pk().mark().mark().line(OP.INT, '1').inst('mymodule', 'Thing')
      .mark().global('other', 'Cls').line(OP.INT, '2').op(OP.OBJ).tuple().stop().done();
    const r = unpickle(b);
    const [a, o] = tuple(r.value);
    expect(a).toBeInstanceOf(PyObject);
    expect((a as PyObject).args).toEqual([1]);
    expect((o as PyObject).cls.qualified).toBe('other Cls');
    expect(r.globals.map((g) => [g.qualified, g.safe])).toEqual([['mymodule Thing', false], ['other Cls', false]]);
  });
});

describe('protocol 3', () => {
  it('BINBYTES and SHORT_BINBYTES', () => {
    const big = Buffer.alloc(300, 7);
    const v = tuple(load(pk().proto(3).mark().bytes(Buffer.from('ab')).bytes(big).tuple().stop().done()));
    expect(v[0]).toEqual(Buffer.from('ab'));
    expect(v[1]).toEqual(big);
  });
});

describe('protocol 4', () => {
  it('FRAME, SHORT_BINUNICODE, BINUNICODE8, BINBYTES8, MEMOIZE, STACK_GLOBAL', () => {
    const b = pk().emptyDict().memoize()
      .shortStr('epoch').memoize().int(3).setitem()
      .shortStr('name').str8('run').setitem()
      .shortStr('raw').bytes8(Buffer.from([1, 2])).setitem()
      .shortStr('od').stackGlobal('collections', 'OrderedDict').memoize().emptyTuple().reduce().memoize().setitem()
      .shortStr('again').op(OP.BINGET, 0).setitem()
      .stop().framed(4);
    const r = unpickle(b);
    expect(r.protocol).toBe(4);
    const d = dict(r.value);
    expect(d.epoch).toBe(3);
    expect(d.name).toBe('run');
    expect(d.raw).toEqual(Buffer.from([1, 2]));
    expect((d.od as PyDict).kind).toBe('OrderedDict');
    expect(d.again).toBe(r.value);
    expect(r.globals[0]).toBeInstanceOf(PyGlobal);
  });

  it('EMPTY_SET/ADDITEMS, FROZENSET and NEWOBJ_EX', () => {
    const b = pk().mark()
      .emptySet().mark().int(1).int(2).additems()
      .mark().int(3).frozenset()
      .stackGlobal('pkg', 'Thing').emptyTuple().emptyDict().newobjEx()
      .tuple().stop().framed(4);
    const [s, f, o] = tuple(load(b));
    expect((s as PySet).items).toEqual([1, 2]);
    expect(f).toMatchObject({ frozen: true, items: [3] });
    expect((o as PyObject).cls.qualified).toBe('pkg Thing');
  });

  it('a torch tensor written with protocol 4 opcodes', () => {
    const b = pk().stackGlobal('torch._utils', '_rebuild_tensor_v2').memoize()
      .mark().mark().shortStr('storage').stackGlobal('torch', 'HalfStorage').shortStr('7').shortStr('cuda:0').int(6).tuple().binpersid()
      .int(0).int(2).int(3).tuple2().int(3).int(1).tuple2().bool(true).stackGlobal('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce()
      .stop().framed(4);
    const t = load(b) as TensorStub;
    expect({ dtype: t.dtype, shape: t.shape, key: t.storage?.key, location: t.storage?.location }).toEqual({ dtype: 'float16', shape: [2, 3], key: '7', location: 'cuda:0' });
  });

  it('_rebuild_tensor_v3 with an untyped storage and a dtype global; Parameter through _rebuild_from_type_v2', () => {
    const v3 = () => pk().global('torch._utils', '_rebuild_tensor_v3')
      .mark().mark().str('storage').global('torch.storage', 'UntypedStorage').str('0').str('cpu').int(40).tuple().binpersid()
      .int(0).int(10).tuple1().int(1).tuple1().bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().global('torch', 'float32').tuple().reduce();
    const t = load(v3().stop().done()) as TensorStub;
    expect({ dtype: t.dtype, numel: t.numel, nbytes: t.nbytes }).toEqual({ dtype: 'float32', numel: 10, nbytes: 40 });
    // (func, new_type, args, state), as torch pickles a Parameter since 2.0.
    const param = pk().global('torch._tensor', '_rebuild_from_type_v2').mark()
      .global('torch._utils', '_rebuild_parameter').global('torch.nn.parameter', 'Parameter')
      .mark().raw(v3().done()).bool(true).global('collections', 'OrderedDict').emptyTuple().reduce().tuple()
      .emptyDict().tuple().reduce().stop().done();
    const pt = load(param) as TensorStub;
    expect(pt).toBeInstanceOf(TensorStub);
    expect(pt.parameter).toBe(true);
  });
});

describe('protocol 5', () => {
  it('BYTEARRAY8 is read', () => {
    expect(load(pk().proto(5).bytearray8(Buffer.from('xyz')).stop().done())).toEqual(Buffer.from('xyz'));
  });

  it('NEXT_BUFFER and READONLY_BUFFER are refused clearly', () => {
    for (const op of [OP.NEXT_BUFFER, OP.READONLY_BUFFER]) {
      const err = refusal(pk().proto(5).bytearray8(Buffer.from('a')).op(op).stop().done());
      expect(err.problem).toBe('unsupported');
      expect(err.message).toMatch(/out-of-band buffers/);
    }
  });
});

describe('malformed pickles fail with a reason', () => {
  it('protocol 6, unknown opcodes, extension registry, empty input', () => {
    expect(refusal(pk().proto(6).none().stop().done()).message).toMatch(/protocol 6/);
    expect(refusal(pk().proto(2).op(0xff).done()).message).toMatch(/unknown pickle opcode 0xff/);
    expect(refusal(pk().proto(2).op(OP.EXT1, 1).stop().done()).problem).toBe('unsupported');
    expect(refusal(Buffer.alloc(0)).problem).toBe('truncated');
  });

  it('stack underflow, missing MARK, missing memo, REDUCE on a non-callable', () => {
    expect(refusal(pk().proto(2).append().done()).message).toMatch(/stack underflow|empty stack/);
    expect(refusal(pk().proto(2).tuple().done()).message).toMatch(/no MARK/);
    expect(refusal(pk().proto(2).binget(3).done()).message).toMatch(/memo key 3/);
    expect(refusal(pk().proto(2).int(1).emptyTuple().reduce().done()).message).toMatch(/cannot be called/);
  });

  it('every prefix of a real pickle is refused as truncated, never crashes', () => {
    const b = pk().proto(2).emptyDict().str('epoch').int(7).setitem().str('w').tensor('0', [4, 4]).setitem().stop().done();
    for (let n = 0; n < b.length; n++) {
      const err = refusal(b.subarray(0, n));
      expect(['truncated', 'corrupt'], `prefix ${n}`).toContain(err.problem);
    }
  });
});
