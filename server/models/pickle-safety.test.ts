// Hostile and broken inputs: pickles that would run commands in Python,
// memory and time bombs, hostile lengths, random bytes, files that only look
// like a format. The reader must never execute anything, never crash, and
// fail with a short reason within its caps.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/temp.js';
import { bufferSource } from './byte-source.js';
import { ModelReadError } from './errors.js';
import { unpickle, type PickleLimits } from './pickle.js';
import { OP } from './pickle-ops.js';
import { readCheckpointSource } from './read-checkpoint.js';
import { fixture, readFile } from './test-utils/fixtures.js';
import { pk } from './test-utils/pickle-builder.js';
import { writeTorchZip } from './test-utils/zip-builder.js';

function refusal(b: Buffer, limits?: Partial<PickleLimits>): ModelReadError {
  try {
    unpickle(b, { limits });
  } catch (err) {
    expect(err).toBeInstanceOf(ModelReadError);
    return err as ModelReadError;
  }
  throw new Error('expected the pickle to be refused');
}

/** Deterministic bytes (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomBytes = (rand: () => number, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));

describe('pickles that would run code in Python', () => {
  it("GLOBAL 'os system' + REDUCE of ('touch <file>',): nothing runs, the global is reported unsafe", () => {
    const dir = tempDir();
    const target = path.join(dir, 'pwned');
    const evil = pk().proto(2).global('os', 'system').str(`touch ${target}`).tuple1().reduce().stop().done();
    const r = unpickle(evil);
    expect(r.globals.map((g) => [g.module, g.name, g.safe])).toEqual([['os', 'system', false]]);
    // Inside a checkpoint, as torch.load would meet it.
    const file = path.join(dir, 'evil.pt');
    writeTorchZip(file, 'evil', evil, []);
    const info = readFile(file);
    expect(info.unsafe).toBe(true);
    expect(info.globals).toEqual([{ module: 'os', name: 'system', safe: false }]);
    expect(info.integrity.status).toBe('ok');
    expect(existsSync(target)).toBe(false);
  });

  it('every other way to name and call a global stays inert: STACK_GLOBAL, INST, OBJ, NEWOBJ, BUILD, eval, subprocess', () => {
    const dir = tempDir();
    const target = path.join(dir, 'pwned');
    const cmd = `touch ${target}`;
    const pickles = [
      pk().proto(4).stackGlobal('posix', 'system').shortStr(cmd).tuple1().reduce().stop().framed(),
      pk().proto(2).global('builtins', 'eval').str(`__import__('os').system('${cmd}')`).tuple1().reduce().stop().done(),
      pk().proto(2).global('__builtin__', 'exec').str('print(1)').tuple1().reduce().stop().done(),
      pk().proto(2).global('subprocess', 'Popen').mark().str('touch').str(target).op(OP.LIST).tuple1().reduce().stop().done(),
      pk().mark().line(OP.STRING, `'${cmd}'`).inst('os', 'system').stop().done(),
      pk().proto(1).mark().global('os', 'system').line(OP.STRING, `'${cmd}'`).op(OP.OBJ).stop().done(),
      pk().proto(2).global('__main__', 'Exploit').emptyTuple().newobj().emptyDict().str('cmd').str(cmd).setitem().build().stop().done(),
      pk().proto(2).global('torch.storage', '_load_from_bytes').bytes(Buffer.from('x')).tuple1().reduce().stop().done(),
      pk().proto(2).global('builtins', 'getattr').global('os', 'system').str('__call__').tuple2().reduce().str(cmd).tuple1().reduce().stop().done(),
    ];
    for (const p of pickles) {
      // The last one calls the result of a call: a stub is not callable, so the read is refused — still without running anything.
      let globals: Array<{ safe: boolean }> = [];
      try {
        globals = unpickle(p).globals;
      } catch (err) {
        expect(err).toBeInstanceOf(ModelReadError);
        continue;
      }
      expect(globals.some((g) => !g.safe)).toBe(true);
    }
    expect(existsSync(target)).toBe(false);
  });
});

describe('caps: bombs fail with a clear reason and bounded memory', () => {
  it('APPENDS of the same memoized list, over and over (default caps)', () => {
    const b = pk().proto(2).emptyList().binput(0);
    const inner = Buffer.concat([Buffer.from([OP.MARK]), Buffer.alloc(2000, 0).fill(Buffer.from([OP.BINGET, 0])), Buffer.from([OP.APPENDS])]);
    for (let i = 0; i < 5000; i++) b.raw(inner);
    const before = process.memoryUsage().heapUsed;
    const err = refusal(b.stop().done());
    expect(err.problem).toBe('limit');
    expect(err.message).toMatch(/more than 4000000 items/);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(300 * 1024 * 1024);
  });

  it('DUP repeated fills the stack up to the cap', () => {
    const b = Buffer.concat([Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST]), Buffer.alloc(5_000_000, OP.DUP)]);
    const err = refusal(b, { maxItems: 1_000_000 });
    expect(err.message).toMatch(/stack deeper than 1000000/);
  });

  it('opcode, memo, nesting and string caps', () => {
    const many = Buffer.concat([Buffer.from([OP.PROTO, 2]), Buffer.alloc(400).fill(Buffer.from([OP.NONE, OP.POP]))]);
    expect(refusal(many, { maxOpcodes: 100 }).message).toMatch(/more than 100 opcodes/);
    const memo = pk().proto(4).none();
    for (let i = 0; i < 50; i++) memo.memoize();
    expect(refusal(memo.done(), { maxMemo: 10 }).message).toMatch(/memo exceeds 10/);
    expect(refusal(Buffer.concat([Buffer.from([OP.PROTO, 2]), Buffer.alloc(100_000, OP.MARK)])).message).toMatch(/deeper than 1000 marks/);
    expect(refusal(pk().proto(2).str('x'.repeat(5000)).stop().done(), { maxBytes: 1000 }).message).toMatch(/strings exceed 1000 bytes/);
  });

  it('hostile lengths are refused before anything is allocated', () => {
    expect(refusal(pk().proto(2).claim(OP.LONG4, 0xffffffff, 4).done()).problem).toBe('limit');
    expect(refusal(pk().proto(4).claim(OP.BINBYTES8, 2n ** 62n, 8).done()).problem).toBe('truncated');
    expect(refusal(pk().proto(4).claim(OP.BINUNICODE8, 2n ** 63n, 8).done()).problem).toBe('truncated');
    expect(refusal(pk().proto(2).claim(OP.BINUNICODE, 0xfffffff0, 4).done()).problem).toBe('truncated');
    expect(refusal(pk().proto(3).claim(OP.BINBYTES, 0xffffffff, 4).done()).problem).toBe('truncated');
    expect(refusal(pk().proto(5).claim(OP.BYTEARRAY8, 2n ** 40n, 8).done()).problem).toBe('truncated');
    expect(refusal(Buffer.concat([Buffer.from([OP.PROTO, 4, OP.FRAME]), Buffer.from('ffffffffffffff0f', 'hex')])).problem).toBe('truncated');
  });

  it('long MARK runs into stubs and sets do not overflow the call stack', () => {
    const n = 600_000;
    const run = Buffer.alloc(n * 2).fill(Buffer.from([OP.NONE, OP.NONE]));
    const b = pk().proto(4).emptyDict().str('obj').global('pkg', 'Thing').emptyTuple().newobj()
      .mark().raw(run.subarray(0, n)).appends().setitem()
      .str('set').emptySet().mark().raw(Buffer.alloc(n, OP.NEWTRUE)).additems().setitem().stop().done();
    const file = path.join(tempDir(), 'long.pt');
    writeTorchZip(file, 'long', b, []);
    expect(readFile(file)).toMatchObject({ unsafe: true, integrity: { status: 'ok' } });
  });

  it('_rebuild_from_type_v2 wrapped in itself many times is refused, not a stack overflow', () => {
    // T0 = (); Tk = (f, None, T(k-1), {}); then f(*T50000): each level asks for the next.
    const b = pk().proto(2).global('torch._tensor', '_rebuild_from_type_v2').binput(0).pop().emptyTuple().binput(1).pop();
    for (let i = 0; i < 50_000; i++) b.mark().binget(0).none().binget(1).emptyDict().tuple().binput(1).pop();
    b.binget(0).binget(1).reduce().stop();
    expect(refusal(b.done()).message).toMatch(/nested more than 8 deep/);
  });

  it('shared and cyclic references: 2^100 paths and a list that holds itself are walked once', () => {
    // L0 = []; L(i) = [L(i-1), L(i-1)]; the checkpoint keeps L100 as its model.
    const b = pk().proto(2).emptyDict().str('model_state_dict').emptyList().binput(0).pop();
    for (let i = 1; i <= 100; i++) b.emptyList().mark().binget(i - 1).binget(i - 1).appends().binput(i).pop();
    b.binget(100).setitem().str('loop').emptyList().binput(200).binget(200).append().setitem();
    // Nesting a hundred thousand lists deep, without a single MARK.
    b.str('deep').raw(Buffer.alloc(100_000, OP.EMPTY_LIST)).raw(Buffer.alloc(99_999, OP.APPEND)).setitem().stop();
    const file = path.join(tempDir(), 'bomb.pt');
    writeTorchZip(file, 'bomb', b.done(), []);
    const info = readFile(file);
    expect(info.integrity.status).toBe('ok');
    expect(info.tensors).toBeUndefined();
  });
});

describe('files that are not what they seem', () => {
  it('random bytes never make the reader throw', () => {
    const rand = prng(1);
    const heads = [Buffer.alloc(0), Buffer.from('PK\x03\x04', 'latin1'), Buffer.from([0x80, 0x02]), Buffer.from('8a0a6cfc9c46f9206aa85019', 'hex')];
    for (let i = 0; i < 400; i++) {
      const head = heads[i % heads.length];
      const data = Buffer.concat([head, randomBytes(rand, Math.floor(rand() * 3000))]);
      const info = readCheckpointSource(bufferSource(data), 0, { now: 1e13 });
      expect(['ok', 'corrupt', 'truncated', 'unchecked']).toContain(info.integrity.status);
    }
  });

  it('mutated real checkpoints: every read ends in a result or a ModelReadError', () => {
    const rand = prng(2);
    const original = readFileSync(fixture('checkpoint_epoch007.pt'));
    const pklEnd = 1800; // data.pkl sits at the front of this file
    for (let i = 0; i < 400; i++) {
      const copy = Buffer.from(original);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) copy[Math.floor(rand() * (i % 2 ? pklEnd : copy.length))] = Math.floor(rand() * 256);
      const info = readCheckpointSource(bufferSource(copy), 0, { now: 1e13 });
      expect(info.integrity.status).not.toBe('writing');
      // A reason of our own, never a JavaScript error that escaped a bounds check.
      expect(`${info.integrity.detail ?? ''} ${info.error ?? ''}`).not.toMatch(/Cannot read|is not a function|out of range|Maximum call stack|ERR_/);
      try {
        unpickle(copy.subarray(64, pklEnd));
      } catch (err) {
        expect(err).toBeInstanceOf(ModelReadError);
      }
    }
  });

  it('an empty file is a truncated unknown file, not an error', () => {
    const file = path.join(tempDir(), 'empty.pt');
    writeFileSync(file, '');
    const info = readFile(file);
    expect(info.format).toBe('unknown');
    expect(info.integrity).toEqual({ status: 'truncated', detail: 'empty file' });
    expect(info.error).toBeUndefined();
  });

  it('a file that only starts like a zip', () => {
    const dir = tempDir();
    const junk = path.join(dir, 'junk.pt');
    writeFileSync(junk, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(prng(3), 500)]));
    const info = readFile(junk);
    expect(info.format).toBe('unknown');
    expect(info.integrity.status).toBe('truncated');
    expect(info.integrity.detail).toMatch(/end-of-central-directory/);
    // A real first local header for data.pkl, then garbage: a torch file cut short whose pickle is unreadable.
    const head = readFileSync(fixture('checkpoint_epoch007.pt')).subarray(0, 70);
    const cut = path.join(dir, 'cut.pt');
    writeFileSync(cut, Buffer.concat([head, randomBytes(prng(4), 50)]));
    const torn = readFile(cut);
    expect(torn.format).toBe('torch-zip');
    expect(torn.integrity.status).toBe('truncated');
    expect(torn.error).toBeTruthy();
  });

  it('a safetensors header claiming a terabyte is refused with a reason', () => {
    const file = path.join(tempDir(), 'huge.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(2n ** 40n);
    writeFileSync(file, Buffer.concat([len, Buffer.from('{"__metadata__":{}}')]));
    const info = readFile(file);
    expect(info.format).toBe('safetensors');
    expect(info.integrity.status).toBe('corrupt');
    expect(info.integrity.detail).toMatch(/claims 1099511627776 bytes/);
    expect(info.error).toMatch(/claims/);
  });
});
