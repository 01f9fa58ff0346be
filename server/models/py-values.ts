// What the restricted pickle reader builds: plain JS values for Python's
// scalars, lists and bytes, and inert stubs for everything that Python would
// have called or imported. Nothing here can run code.

/** A global the pickle names (`GLOBAL`/`STACK_GLOBAL`/`INST`): never imported, only recorded. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly safe: boolean,
  ) {}
  get qualified(): string {
    return `${this.module} ${this.name}`;
  }
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** dict, collections.OrderedDict or Counter; keys compare like JS Map keys (strings and ints by value). */
export class PyDict {
  readonly map = new Map<PyValue, PyValue>();
  /** Attributes set by BUILD (an OrderedDict state_dict's `_metadata`). */
  attrs?: PyValue;
  constructor(readonly kind: 'dict' | 'OrderedDict' | 'Counter' = 'dict') {}
  get(key: string): PyValue | undefined {
    return this.map.get(key);
  }
}

/** set or frozenset. */
export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen = false,
  ) {}
}

/** What REDUCE/NEWOBJ/INST/OBJ on a global with no special meaning leaves: the class and its arguments, inert. */
export class PyObject {
  state?: PyValue;
  /** Items APPENDS/SETITEMS would have passed to the object's methods. */
  listItems?: PyValue[];
  dictItems?: Array<[PyValue, PyValue]>;
  constructor(
    readonly cls: PyGlobal,
    readonly args: PyValue[],
  ) {}
}

/** A tensor storage as a persistent id describes it: its data lives elsewhere (zip entry `data/<key>`). */
export class StorageStub {
  constructor(
    readonly key: string,
    readonly dtype: string,
    /** Bytes per element; 0 when the dtype is unknown. */
    readonly itemSize: number,
    /** Element count. */
    readonly numel: number,
    readonly location: string,
  ) {}
  get nbytes(): number {
    return this.numel * this.itemSize;
  }
}

/** A tensor: shape and dtype, and where its data is, never the data itself. */
export class TensorStub {
  parameter = false;
  constructor(
    readonly dtype: string,
    readonly itemSize: number,
    readonly shape: number[],
    readonly storage: StorageStub | null,
    /** In elements, as torch counts it. */
    readonly storageOffset: number,
  ) {}
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get nbytes(): number {
    return this.numel * this.itemSize;
  }
}

/** Any value the reader can produce. Python ints beyond 2^53 are bigints; bytes and bytearray are Buffers. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyObject
  | StorageStub
  | TensorStub;

/** The Python type name of a value, for error messages. */
export function pyTypeName(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (Buffer.isBuffer(v)) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.kind;
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  if (v instanceof PyGlobal) return `global ${v.qualified}`;
  if (v instanceof PyObject) return `${v.cls.qualified} object`;
  if (v instanceof StorageStub) return 'storage';
  return 'tensor';
}

/** Items of a list, tuple or set; null for anything else. */
export function sequenceItems(v: PyValue | undefined): PyValue[] | null {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple || v instanceof PySet) return v.items;
  return null;
}
