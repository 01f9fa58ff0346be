// Walks over what the pickle reader built. Pickles can share and even cycle
// references (a list that contains itself through the memo), so every walk
// visits each object once and stops at a fixed depth: a few bytes of pickle
// can never make a walk take exponential time or overflow the call stack.
import { PyDict, PyObject, PySet, PyTuple, TensorStub, type PyValue } from './py-values.js';

/** How deep walks go; real checkpoints nest a handful of levels. */
export const MAX_WALK_DEPTH = 64;

function children(v: PyValue): Iterable<PyValue> {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple || v instanceof PySet) return v.items;
  if (v instanceof PyDict) return v.map.values();
  if (v instanceof PyObject) {
    const out: PyValue[] = v.listItems ? v.args.concat(v.listItems) : [...v.args];
    if (v.state !== undefined) out.push(v.state);
    if (v.dictItems) for (const [, x] of v.dictItems) out.push(x);
    return out;
  }
  return [];
}

/** Every distinct tensor reachable from `root`, skipping top-level dict keys in `skip`. */
export function collectTensors(root: PyValue | undefined, skip: ReadonlySet<string> = new Set()): TensorStub[] {
  if (root === undefined) return [];
  const found: TensorStub[] = [];
  const seen = new Set<object>();
  const todo: Array<[PyValue, number]> = [];
  if (root instanceof PyDict && skip.size > 0) {
    seen.add(root);
    for (const [k, v] of root.map) if (!(typeof k === 'string' && skip.has(k))) todo.push([v, 1]);
  } else {
    todo.push([root, 0]);
  }
  while (todo.length > 0) {
    const [v, depth] = todo.pop()!;
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof TensorStub) {
      found.push(v);
      continue;
    }
    if (depth >= MAX_WALK_DEPTH) continue;
    for (const c of children(v)) todo.push([c, depth + 1]);
  }
  return found;
}

/** Tensor count, element count and bytes of a set of tensors. */
export function tensorTotals(tensors: TensorStub[]): { tensors: number; numel: number; bytes: number } {
  let numel = 0;
  let bytes = 0;
  for (const t of tensors) {
    numel += t.numel;
    bytes += t.nbytes;
  }
  return { tensors: tensors.length, numel, bytes };
}

/** A dict key as the flattened name part: strings as they are, ints as digits. */
export function keyName(k: PyValue): string | null {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  return null;
}
