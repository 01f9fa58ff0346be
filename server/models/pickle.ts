// A restricted pickle reader: it interprets every standard opcode of
// protocols 0 to 5 as data and never imports or calls anything. Globals
// become PyGlobal placeholders checked against the allowlist; calls become
// stubs (pickle-reduce.ts). Caps on opcodes, memo, nesting, items and bytes
// keep a hostile file from taking time or memory: it fails with a reason.
import { isSafeGlobal, normalizeModule } from './allowlist.js';
import { corrupt, overLimit, truncated, unsupported } from './errors.js';
import { DEFAULT_PICKLE_LIMITS, PickleInput, pyFloat, type PickleLimits } from './pickle-input.js';
import { HIGHEST_PROTOCOL, OP, OP_NAMES, rawUnicodeEscape, unescapePyString } from './pickle-ops.js';
import { build, callGlobal, newObject, persistentLoad, type CallContext } from './pickle-reduce.js';
import { PyDict, PyGlobal, PyObject, PySet, PyTuple, StorageStub, pyTypeName, type PyValue } from './py-values.js';

/** What one pickle held. */
export interface PickleResult {
  value: PyValue;
  /** Every global named, once each, in order of first appearance. */
  globals: PyGlobal[];
  /** Storages by key, from the persistent ids. */
  storages: Map<string, StorageStub>;
  protocol: number;
  /** Offset just past STOP: where a following pickle (legacy torch files) begins. */
  end: number;
  opcodes: number;
}

export { DEFAULT_PICKLE_LIMITS, type PickleLimits };

const OBJECT_WEIGHT = 8;

class Machine extends PickleInput implements CallContext {
  private readonly stack: PyValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly globalsByName = new Map<string, PyGlobal>();
  readonly storages = new Map<string, StorageStub>();
  private opcodes = 0;
  private protocol = 0;

  private base(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
  }
  private push(v: PyValue): void {
    this.stack.push(v);
    if (this.stack.length > this.limits.maxItems) throw overLimit(`pickle stack deeper than ${this.limits.maxItems}`);
  }
  private pop(): PyValue {
    if (this.stack.length <= this.base()) throw corrupt(`stack underflow at byte ${this.pos - 1}`);
    return this.stack.pop()!;
  }
  private top(): PyValue {
    if (this.stack.length <= this.base()) throw corrupt(`empty stack at byte ${this.pos - 1}`);
    return this.stack[this.stack.length - 1];
  }
  private popMark(): PyValue[] {
    const m = this.marks.pop();
    if (m === undefined) throw corrupt(`no MARK to pop at byte ${this.pos - 1}`);
    return this.stack.splice(m);
  }
  private memoKey(n: number): void {
    this.memo.set(n, this.top());
    if (this.memo.size > this.limits.maxMemo) throw overLimit(`pickle memo exceeds ${this.limits.maxMemo} entries`);
  }
  private memoGet(n: number): void {
    if (!this.memo.has(n)) throw corrupt(`memo key ${n} is missing`);
    this.push(this.memo.get(n)!);
  }
  private global(module: string, name: string): PyGlobal {
    const m = normalizeModule(module);
    const key = `${m} ${name}`;
    let g = this.globalsByName.get(key);
    if (!g) {
      if (this.globalsByName.size >= 10_000) throw overLimit('pickle names more than 10000 globals');
      g = new PyGlobal(m, name, isSafeGlobal(m, name));
      this.globalsByName.set(key, g);
    }
    return g;
  }
  private appendTo(target: PyValue, values: PyValue[]): void {
    this.items(values.length);
    // Item by item: spreading a long MARK run into push() would overflow the call stack.
    let into: PyValue[];
    if (Array.isArray(target)) into = target;
    else if (target instanceof PyObject) into = target.listItems ??= [];
    else throw corrupt(`APPEND to a ${pyTypeName(target)}`);
    for (const v of values) into.push(v);
  }
  private setItems(target: PyValue, kv: PyValue[]): void {
    if (kv.length % 2 !== 0) throw corrupt('SETITEMS with an odd number of values');
    this.items(kv.length / 2);
    for (let i = 0; i < kv.length; i += 2) {
      const k = kv[i];
      if (Array.isArray(k) || k instanceof PyDict || (k instanceof PySet && !k.frozen)) throw corrupt(`unhashable dict key (${pyTypeName(k)})`);
      if (target instanceof PyDict) target.map.set(k, kv[i + 1]);
      else if (target instanceof PyObject) (target.dictItems ??= []).push([k, kv[i + 1]]);
      else throw corrupt(`SETITEM on a ${pyTypeName(target)}`);
    }
  }
  private tuple(items: PyValue[]): PyTuple {
    this.items(items.length + 1);
    return new PyTuple(items);
  }
  private newDict(): PyDict {
    this.items(OBJECT_WEIGHT);
    return new PyDict();
  }

  run(): PickleResult {
    for (;;) {
      if (++this.opcodes > this.limits.maxOpcodes) throw overLimit(`pickle runs more than ${this.limits.maxOpcodes} opcodes`);
      const at = this.pos;
      const op = this.u8('an opcode');
      if (this.step(op, at)) break;
    }
    const value = this.stack.pop() as PyValue;
    return { value, globals: [...this.globalsByName.values()], storages: this.storages, protocol: this.protocol, end: this.pos, opcodes: this.opcodes };
  }

  /** Runs one opcode; true on STOP. */
  private step(op: number, at: number): boolean {
    switch (op) {
      case OP.STOP:
        if (this.stack.length <= this.base()) throw corrupt('STOP with an empty stack');
        return true;
      case OP.PROTO: {
        const v = this.u8('PROTO');
        if (v > HIGHEST_PROTOCOL) throw unsupported(`pickle protocol ${v} (highest known ${HIGHEST_PROTOCOL})`);
        this.protocol = v;
        return false;
      }
      case OP.FRAME: {
        // Frames only group bytes for buffered reading; the data is already in memory.
        const n = this.uint(8, 'FRAME');
        if (n > this.data.length - this.pos) throw truncated(`pickle frame of ${n} bytes runs past the end of the data`);
        return false;
      }
      case OP.MARK:
        this.marks.push(this.stack.length);
        if (this.marks.length > this.limits.maxDepth) throw overLimit(`pickle nests deeper than ${this.limits.maxDepth} marks`);
        return false;
      case OP.POP:
        if (this.stack.length > this.base()) this.stack.pop();
        else this.popMark();
        return false;
      case OP.POP_MARK: this.popMark(); return false;
      case OP.DUP: this.push(this.top()); return false;
      case OP.NONE: this.push(null); return false;
      case OP.NEWTRUE: this.push(true); return false;
      case OP.NEWFALSE: this.push(false); return false;
      case OP.INT: {
        const s = this.line('INT');
        if (s === '00' || s === '01') this.push(s === '01');
        else this.push(this.textInt(s, 'INT'));
        return false;
      }
      case OP.BININT: this.need(4, 'BININT'); this.push(this.data.readInt32LE(this.pos)); this.pos += 4; return false;
      case OP.BININT1: this.push(this.uint(1, 'BININT1')); return false;
      case OP.BININT2: this.push(this.uint(2, 'BININT2')); return false;
      case OP.LONG: this.push(this.textInt(this.line('LONG'), 'LONG')); return false;
      case OP.LONG1: this.push(this.long(this.take(this.uint(1, 'LONG1'), 'LONG1'))); return false;
      case OP.LONG4: {
        const n = this.uint(4, 'LONG4');
        if (n > this.limits.maxLongBytes) throw overLimit(`integer of ${n} bytes (limit ${this.limits.maxLongBytes})`);
        this.push(this.long(this.take(n, 'LONG4')));
        return false;
      }
      case OP.FLOAT: this.push(pyFloat(this.line('FLOAT'))); return false;
      case OP.BINFLOAT: this.need(8, 'BINFLOAT'); this.push(this.data.readDoubleBE(this.pos)); this.pos += 8; return false;
      case OP.STRING: {
        const raw = this.line('STRING').trimEnd();
        const q = raw[0];
        if (raw.length < 2 || (q !== "'" && q !== '"') || raw[raw.length - 1] !== q) throw corrupt('STRING argument is not quoted');
        this.push(this.string(unescapePyString(raw.slice(1, -1))));
        return false;
      }
      case OP.BINSTRING: this.push(this.string(this.take(this.uint(4, 'BINSTRING'), 'BINSTRING'))); return false;
      case OP.SHORT_BINSTRING: this.push(this.string(this.take(this.uint(1, 'SHORT_BINSTRING'), 'SHORT_BINSTRING'))); return false;
      case OP.UNICODE: {
        const end = this.data.indexOf(0x0a, this.pos);
        if (end < 0) throw truncated('pickle ends inside UNICODE');
        const b = this.take(end - this.pos, 'UNICODE');
        this.pos++;
        this.bytes(b.length);
        this.push(rawUnicodeEscape(b));
        return false;
      }
      case OP.BINUNICODE: this.push(this.string(this.take(this.uint(4, 'BINUNICODE'), 'BINUNICODE'))); return false;
      case OP.SHORT_BINUNICODE: this.push(this.string(this.take(this.uint(1, 'SHORT_BINUNICODE'), 'SHORT_BINUNICODE'))); return false;
      case OP.BINUNICODE8: this.push(this.string(this.take(this.uint(8, 'BINUNICODE8'), 'BINUNICODE8'))); return false;
      case OP.BINBYTES: this.push(this.binBytes(this.take(this.uint(4, 'BINBYTES'), 'BINBYTES'))); return false;
      case OP.SHORT_BINBYTES: this.push(this.binBytes(this.take(this.uint(1, 'SHORT_BINBYTES'), 'SHORT_BINBYTES'))); return false;
      case OP.BINBYTES8: this.push(this.binBytes(this.take(this.uint(8, 'BINBYTES8'), 'BINBYTES8'))); return false;
      case OP.BYTEARRAY8: this.push(this.binBytes(this.take(this.uint(8, 'BYTEARRAY8'), 'BYTEARRAY8'))); return false;
      case OP.NEXT_BUFFER:
      case OP.READONLY_BUFFER:
        throw unsupported(`${OP_NAMES.get(op)}: out-of-band buffers (pickle protocol 5) are not supported`);
      case OP.EMPTY_TUPLE: this.push(this.tuple([])); return false;
      case OP.TUPLE: this.push(this.tuple(this.popMark())); return false;
      case OP.TUPLE1: { const a = this.pop(); this.push(this.tuple([a])); return false; }
      case OP.TUPLE2: { const b = this.pop(); const a = this.pop(); this.push(this.tuple([a, b])); return false; }
      case OP.TUPLE3: { const c = this.pop(); const b = this.pop(); const a = this.pop(); this.push(this.tuple([a, b, c])); return false; }
      case OP.EMPTY_LIST: this.items(1); this.push([]); return false;
      case OP.LIST: { const items = this.popMark(); this.items(items.length + 1); this.push(items); return false; }
      case OP.APPEND: { const v = this.pop(); this.appendTo(this.top(), [v]); return false; }
      case OP.APPENDS: { const vs = this.popMark(); this.appendTo(this.top(), vs); return false; }
      case OP.EMPTY_DICT: this.push(this.newDict()); return false;
      case OP.DICT: { const kv = this.popMark(); const d = this.newDict(); this.setItems(d, kv); this.push(d); return false; }
      case OP.SETITEM: { const v = this.pop(); const k = this.pop(); this.setItems(this.top(), [k, v]); return false; }
      case OP.SETITEMS: { const kv = this.popMark(); this.setItems(this.top(), kv); return false; }
      case OP.EMPTY_SET: this.items(OBJECT_WEIGHT); this.push(new PySet([])); return false;
      case OP.ADDITEMS: {
        const vs = this.popMark();
        const s = this.top();
        if (!(s instanceof PySet) || s.frozen) throw corrupt(`ADDITEMS to a ${pyTypeName(s)}`);
        this.items(vs.length);
        for (const v of vs) s.items.push(v);
        return false;
      }
      case OP.FROZENSET: { const vs = this.popMark(); this.items(vs.length + OBJECT_WEIGHT); this.push(new PySet(vs, true)); return false; }
      case OP.GET: this.memoGet(Number(this.textInt(this.line('GET'), 'GET'))); return false;
      case OP.BINGET: this.memoGet(this.uint(1, 'BINGET')); return false;
      case OP.LONG_BINGET: this.memoGet(this.uint(4, 'LONG_BINGET')); return false;
      case OP.PUT: this.memoKey(Number(this.textInt(this.line('PUT'), 'PUT'))); return false;
      case OP.BINPUT: this.memoKey(this.uint(1, 'BINPUT')); return false;
      case OP.LONG_BINPUT: this.memoKey(this.uint(4, 'LONG_BINPUT')); return false;
      case OP.MEMOIZE: this.memoKey(this.memo.size); return false;
      case OP.GLOBAL: {
        const module = this.line('GLOBAL module');
        this.push(this.global(module, this.line('GLOBAL name')));
        return false;
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw corrupt('STACK_GLOBAL needs two strings');
        this.push(this.global(module, name));
        return false;
      }
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4:
        throw unsupported(`${OP_NAMES.get(op)}: the copyreg extension registry is not supported`);
      case OP.REDUCE: { const args = this.pop(); const fn = this.pop(); this.push(callGlobal(fn, tupleItems(args, 'REDUCE'), this)); return false; }
      case OP.NEWOBJ: { const args = this.pop(); const cls = this.pop(); this.push(newObject(cls, tupleItems(args, 'NEWOBJ'), this)); return false; }
      case OP.NEWOBJ_EX: {
        this.pop(); // keyword arguments: kept out of the stub, which never runs
        const args = this.pop();
        const cls = this.pop();
        this.push(newObject(cls, tupleItems(args, 'NEWOBJ_EX'), this));
        return false;
      }
      case OP.INST: {
        const module = this.line('INST module');
        const cls = this.global(module, this.line('INST name'));
        this.push(newObject(cls, this.popMark(), this));
        return false;
      }
      case OP.OBJ: {
        const items = this.popMark();
        if (items.length === 0) throw corrupt('OBJ without a class');
        this.push(newObject(items[0], items.slice(1), this));
        return false;
      }
      case OP.BUILD: { const state = this.pop(); build(this.top(), state); return false; }
      case OP.PERSID: this.push(persistentLoad(this.line('PERSID'), this)); return false;
      case OP.BINPERSID: this.push(persistentLoad(this.pop(), this)); return false;
      default:
        throw corrupt(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at}`);
    }
  }
}



function tupleItems(v: PyValue, op: string): PyValue[] {
  if (v instanceof PyTuple) return v.items;
  throw corrupt(`${op} arguments are a ${pyTypeName(v)}, not a tuple`);
}

/** Reads one pickle starting at `offset` (default 0). Throws ModelReadError on anything unreadable or over a cap. */
export function unpickle(data: Uint8Array, options: { offset?: number; limits?: Partial<PickleLimits> } = {}): PickleResult {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const limits = { ...DEFAULT_PICKLE_LIMITS, ...options.limits };
  if ((options.offset ?? 0) >= buf.length) throw truncated('empty pickle');
  return new Machine(buf, options.offset ?? 0, limits).run();
}
