// Which globals a pickle may name and still count as safe: the set
// torch.load(weights_only=True) accepts (PRODUCT.md "Pickle safety"). The
// reader never imports any global either way; an unsafe one is only recorded
// so the dashboard can tag the file `unsafe-pickle`.

/** Tensor element types by torch name, with their size in bytes (sub-byte types round up to 1). */
export const DTYPE_SIZES: Readonly<Record<string, number>> = {
  float64: 8, float32: 4, float16: 2, bfloat16: 2,
  float8_e4m3fn: 1, float8_e5m2: 1, float8_e4m3fnuz: 1, float8_e5m2fnuz: 1, float8_e8m0fnu: 1,
  int64: 8, int32: 4, int16: 2, int8: 1, uint64: 8, uint32: 4, uint16: 2, uint8: 1, bool: 1,
  complex128: 16, complex64: 8, complex32: 4,
  qint8: 1, quint8: 1, qint32: 4, quint4x2: 1, quint2x4: 1,
  bits8: 1, bits16: 2, bits1x8: 1, bits2x4: 1, bits4x2: 1,
};

// torch's aliases (torch.float is torch.float32 …), as they appear in pickles.
const DTYPE_ALIASES: Readonly<Record<string, string>> = {
  float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16',
  cfloat: 'complex64', cdouble: 'complex128', chalf: 'complex32',
};

/** The canonical dtype a `torch <name>` global stands for, or null when it is not a dtype. */
export function dtypeOfGlobal(module: string, name: string): string | null {
  if (module !== 'torch') return null;
  const canonical = DTYPE_ALIASES[name] ?? name;
  return canonical in DTYPE_SIZES ? canonical : null;
}

/** Legacy typed storage classes (`torch FloatStorage` …) and the dtype each holds. */
export const STORAGE_DTYPES: Readonly<Record<string, string>> = {
  DoubleStorage: 'float64', FloatStorage: 'float32', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool', ComplexDoubleStorage: 'complex128', ComplexFloatStorage: 'complex64',
  QInt8Storage: 'qint8', QUInt8Storage: 'quint8', QInt32Storage: 'qint32', QUInt4x2Storage: 'quint4x2', QUInt2x4Storage: 'quint2x4',
  // Raw bytes: the tensor that uses it carries its own dtype (_rebuild_tensor_v3).
  UntypedStorage: 'uint8',
};

/** The dtype a storage class global holds, or null when the global is not a storage class. */
export function dtypeOfStorageClass(module: string, name: string): string | null {
  if (module === 'torch' || module === 'torch.cuda') return STORAGE_DTYPES[name] ?? null;
  if (module === 'torch.storage' && (name === 'UntypedStorage' || name === 'TypedStorage')) return 'uint8';
  return null;
}

const SAFE: ReadonlySet<string> = new Set([
  'torch Size',
  'torch device',
  'torch._tensor _rebuild_from_type_v2',
  'torch.nn.parameter Parameter',
  'collections OrderedDict',
  'collections Counter',
  '_codecs encode',
  'builtins set',
  'builtins frozenset',
  'builtins bytearray',
  'builtins complex',
  'builtins slice',
]);

// Protocol 0–2 pickles written by Python 3 name Python 2 modules (fix_imports);
// Python's unpickler maps them back before looking anything up, and so do we.
const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

/** The module name Python would look up. */
export function normalizeModule(module: string): string {
  return PY2_MODULES[module] ?? module;
}

/** True when `torch.load(weights_only=True)` would accept this global. */
export function isSafeGlobal(module: string, name: string): boolean {
  const m = normalizeModule(module);
  if (SAFE.has(`${m} ${name}`)) return true;
  if (m === 'torch._utils' && name.startsWith('_rebuild_')) return true;
  if (dtypeOfGlobal(m, name) !== null) return true;
  return dtypeOfStorageClass(m, name) !== null;
}
