// Hostile checkpoints, end to end: pickle bombs (memo loops, stack and opcode
// floods, shared and self-referencing structures, absurd declared lengths)
// and 100 GB sparse "checkpoints" whose first bytes are garbage or lies. Each
// project is served in its own process (read-app-cli.ts) so that its peak
// memory can be measured; every read must end within seconds with at most
// ~100 MB more memory, the API must keep answering meanwhile, and the
// checkpoint must say what is wrong with it.
import { execFile } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../shared/schemas/entry.js';
import { OP } from './pickle-ops.js';
import { MAX_SAFETENSORS_HEADER } from './safetensors.js';
import { DEFAULT_MAX_PICKLE_BYTES } from './torch-file.js';
import { pk } from './test-utils/pickle-builder.js';
import { writeTorchZip, writeZip } from './test-utils/zip-builder.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 2 ** 20;
const SPARSE_SIZE = 100e9;
const OLD = new Date(Date.now() - 10 * 86_400_000);

/** What read-app-cli.ts reports. */
interface Report {
  readMs: number;
  maxRssAddedMB: number;
  longestWaitMs: number;
  answered: number;
  checkpoints: { items: Checkpoint[] };
  entries: Record<string, { path: string; bytes: number; checkpoint?: Checkpoint }>;
}

/** A file of `size` bytes (sparse) that starts with `head`. */
function sparse(file: string, head: Buffer, size = SPARSE_SIZE): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head, 0, head.length, 0);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

const torch = (pickle: Buffer) => (file: string) => writeTorchZip(file, 'archive', pickle, []);

/** The pickled legacy magic number: what a pre-1.6 torch file starts with. */
const legacyMagic = () => pk().proto(2).long1(0x1950a86a20f9469cfc6cn).stop().done();

/** A safetensors start whose 8-byte length claims `n` bytes of header. */
function safetensorsClaim(n: number): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(n));
  return Buffer.concat([len, Buffer.from('{"__metadata__": {"note": "')]);
}

/** Each case: the files it puts in `checkpoints/run/`. */
const cases: Record<string, Record<string, (file: string) => unknown>> = {
  memo: {
    // One memoized list appended to itself, 2,000 at a time, 5,000 times: 10 million references.
    'memo-loop.pt': torch(
      (() => {
        const b = pk().proto(2).emptyList().binput(0);
        const appends = Buffer.concat([Buffer.from([OP.MARK]), Buffer.alloc(4000).fill(Buffer.from([OP.BINGET, 0])), Buffer.from([OP.APPENDS])]);
        for (let i = 0; i < 5000; i++) b.raw(appends);
        return b.stop().done();
      })(),
    ),
  },
  dup: { 'dup-flood.pt': torch(Buffer.concat([Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST]), Buffer.alloc(5_000_000, OP.DUP)])) },
  opcodes: { 'opcode-flood.pt': torch(Buffer.concat([Buffer.from([OP.PROTO, 2]), Buffer.alloc(2 * 21_000_000).fill(Buffer.from([OP.NONE, OP.POP]))])) },
  shared: {
    // L(i) = [L(i-1), L(i-1)] to 2^100 paths, a list that holds itself, and lists nested 100,000 deep.
    'shared.pt': torch(
      (() => {
        const b = pk().proto(2).emptyDict().str('epoch').int(7).setitem().str('model_state_dict').emptyList().binput(0).pop();
        for (let i = 1; i <= 100; i++) b.emptyList().mark().binget(i - 1).binget(i - 1).appends().binput(i).pop();
        b.binget(100).setitem().str('loop').emptyList().binput(200).binget(200).append().setitem();
        b.str('deep').raw(Buffer.alloc(100_000, OP.EMPTY_LIST)).raw(Buffer.alloc(99_999, OP.APPEND)).setitem();
        return b.stop().done();
      })(),
    ),
    // Metric dicts whose two children are the same dict, 60 levels: 2^60 keys once flattened.
    'metric-bomb.pt': torch(
      (() => {
        const b = pk().proto(2).emptyDict().str('epoch').int(3).setitem().str('metrics').emptyDict().str('loss').float(0.5).setitem().binput(0);
        for (let i = 1; i <= 60; i++) b.pop().emptyDict().str('x').binget(i - 1).setitem().str('y').binget(i - 1).setitem().binput(i);
        return b.setitem().stop().done();
      })(),
    ),
  },
  lengths: {
    'claims-unicode8.pt': torch(pk().proto(4).emptyDict().str('note').claim(OP.BINUNICODE8, 2n ** 62n, 8).done()),
    'claims-bytes.pt': torch(pk().proto(3).emptyDict().str('blob').claim(OP.BINBYTES, 0xffffffff, 4).done()),
    'claims-long4.pt': torch(pk().proto(2).emptyDict().str('n').claim(OP.LONG4, 0x7fffffff, 4).done()),
    'claims-frame.pt': torch(Buffer.concat([Buffer.from([OP.PROTO, 4, OP.FRAME]), Buffer.from('ffffffffffffff0f', 'hex')])),
    'rebuild-nest.pt': torch(
      (() => {
        const b = pk().proto(2).global('torch._tensor', '_rebuild_from_type_v2').binput(0).pop().emptyTuple().binput(1).pop();
        for (let i = 0; i < 50_000; i++) b.mark().binget(0).none().binget(1).emptyDict().tuple().binput(1).pop();
        return b.binget(0).binget(1).reduce().stop().done();
      })(),
    ),
  },
  garbage: {
    'garbage.pt': (f) => sparse(f, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255))),
  },
  salvage: {
    // A local header naming data.pkl and nothing after its first opcodes: a save cut short, 100 GB long.
    'cut-short.pt': (f) => {
      const h = Buffer.alloc(30);
      h.writeUInt32LE(0x04034b50, 0);
      h.writeUInt16LE(16, 26);
      sparse(f, Buffer.concat([h, Buffer.from('archive/data.pkl'), Buffer.from([OP.PROTO, 2, OP.EMPTY_DICT])]));
    },
  },
  legacy: {
    // The legacy magic, then a string claiming 200 MB: each read of more finds it still cut short.
    'legacy-claim.pt': (f) => sparse(f, Buffer.concat([legacyMagic(), pk().proto(2).claim(OP.BINUNICODE, 200 * MiB, 4).done()])),
  },
  safetensors: {
    'header-over.safetensors': (f) => sparse(f, safetensorsClaim(100 * MiB)),
    'header-under.safetensors': (f) => sparse(f, safetensorsClaim(MAX_SAFETENSORS_HEADER - 64)),
  },
  zip: {
    // Well-formed ZIP64 archives of 100 GB whose data.pkl is a hole: over and just under the pickle limit.
    'pkl-over.pt': (f) =>
      writeZip(f, [{ name: 'archive/data.pkl', zeros: 250 * MiB }, { name: 'archive/data/0', zeros: SPARSE_SIZE }, { name: 'archive/version', data: Buffer.from('3\n') }], { zip64: true }),
    'pkl-under.pt': (f) =>
      writeZip(f, [{ name: 'archive/data.pkl', zeros: DEFAULT_MAX_PICKLE_BYTES - MiB }, { name: 'archive/data/0', zeros: SPARSE_SIZE }, { name: 'archive/version', data: Buffer.from('3\n') }], { zip64: true }),
  },
};

const base = mkdtempSync(join(tmpdir(), 'ckptdash-models-'));
const reports = new Map<string, Promise<Report>>();

/** Builds a case's project and serves it in a child process. */
function run(name: string): Promise<Report> {
  const project = join(base, name);
  const dir = join(project, 'checkpoints', 'run');
  mkdirSync(dir, { recursive: true });
  for (const [file, make] of Object.entries(cases[name])) {
    make(join(dir, file));
    utimesSync(join(dir, file), OLD, OLD);
  }
  const paths = Object.keys(cases[name]).map((f) => `run/${f}`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repo, 'server/models/test-utils/read-app-cli.ts'), project, ...paths],
      { cwd: repo, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * MiB },
      (err, stdout, stderr) => (err ? reject(new Error(`${name}: ${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Report)),
    );
  });
}

beforeAll(() => {
  // Two at a time: each measures its own peak memory, and the machine may have two cores.
  let chain: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  Object.keys(cases).forEach((name, i) => {
    const p = chain[i % 2].then(() => run(name));
    chain[i % 2] = p.catch(() => {});
    reports.set(name, p);
    p.catch(() => {});
  });
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The report of a case, after checking what every case must: bounded time and memory, a server that kept answering. */
async function bounded(name: string): Promise<Report> {
  const r = await reports.get(name)!;
  console.log(`${name}: read in ${r.readMs} ms, +${r.maxRssAddedMB.toFixed(0)} MB peak memory, longest API wait ${r.longestWaitMs} ms`);
  for (const c of r.checkpoints.items) console.log(`  ${c.path}: ${c.format} ${JSON.stringify(c.integrity)}`);
  // The readers' caps hold a hostile file to ~100 MB; the slack is the allocator's, not the reader's.
  expect(r.maxRssAddedMB, `${name}: MB of peak memory the reads added`).toBeLessThan(128);
  expect(r.readMs, `${name}: ms to read every checkpoint`).toBeLessThan(10_000);
  expect(r.longestWaitMs, `${name}: longest ms an API request waited`).toBeLessThan(3_000);
  expect(r.answered).toBeGreaterThan(0);
  expect(r.checkpoints.items.map((c) => c.path).sort()).toEqual(Object.keys(cases[name]).map((f) => `run/${f}`).sort());
  for (const [path, e] of Object.entries(r.entries)) expect(e.checkpoint, path).toBeDefined();
  return r;
}

const integrity = (r: Report, file: string) => r.checkpoints.items.find((c) => c.path === `run/${file}`)!.integrity;

describe('pickle bombs inside real torch zips', () => {
  it('a memo loop (one list appended to itself 10 million times) stops at the item cap', async () => {
    const r = await bounded('memo');
    expect(integrity(r, 'memo-loop.pt')).toEqual({ status: 'unchecked', detail: 'not checked: pickle holds more than 4000000 items' });
  }, 90_000);

  it('a DUP flood (5 million) stops at the stack cap', async () => {
    const r = await bounded('dup');
    expect(integrity(r, 'dup-flood.pt').detail).toMatch(/pickle stack deeper than 4000000/);
  }, 90_000);

  it('21 million cheap opcodes stop at the opcode cap within seconds', async () => {
    const r = await bounded('opcodes');
    expect(integrity(r, 'opcode-flood.pt').detail).toMatch(/more than 20000000 opcodes/);
  }, 90_000);

  it('2^100 shared paths, a self-containing list, 100,000-deep lists and a 2^60-key metric tree are read once, bounded', async () => {
    const r = await bounded('shared');
    const shared = r.checkpoints.items.find((c) => c.path === 'run/shared.pt')!;
    expect(shared).toMatchObject({ format: 'torch-zip', epoch: 7, integrity: { status: 'ok' } });
    const bomb = r.checkpoints.items.find((c) => c.path === 'run/metric-bomb.pt')!;
    expect(bomb).toMatchObject({ epoch: 3, integrity: { status: 'ok' } });
    expect(Object.keys(bomb.metrics).length).toBeLessThanOrEqual(256);
    expect(Object.keys((r.entries['run/metric-bomb.pt'].checkpoint as unknown as { details: { scalars: object } }).details.scalars).length).toBeLessThanOrEqual(256);
  }, 90_000);

  it('absurd declared lengths (2^62-byte string, 4 GB bytes, 2 GB int, endless frame) and self-wrapping rebuilds are refused with a reason', async () => {
    const r = await bounded('lengths');
    expect(integrity(r, 'claims-unicode8.pt')).toMatchObject({ status: 'truncated', detail: expect.stringMatching(/BINUNICODE8 .* runs past the end/) });
    expect(integrity(r, 'claims-bytes.pt')).toMatchObject({ status: 'truncated' });
    expect(integrity(r, 'claims-long4.pt').detail).toMatch(/LONG4|long|1024/i);
    expect(integrity(r, 'claims-frame.pt')).toMatchObject({ status: 'truncated' });
    expect(integrity(r, 'rebuild-nest.pt')).toMatchObject({ status: 'corrupt', detail: expect.stringMatching(/nested more than 8 deep/) });
  }, 90_000);
});

describe('100 GB sparse "checkpoints" with a garbage header', () => {
  it('random bytes: an unknown format, read in milliseconds', async () => {
    const r = await bounded('garbage');
    const c = r.checkpoints.items[0];
    expect(c).toMatchObject({ path: 'run/garbage.pt', format: 'unknown', bytes: SPARSE_SIZE, integrity: { status: 'unchecked', detail: 'not a recognised model format' } });
  }, 90_000);

  it('a data.pkl local header and then nothing: a save cut short, found without reading the whole window', async () => {
    const r = await bounded('salvage');
    const c = r.checkpoints.items[0];
    expect(c).toMatchObject({ format: 'torch-zip', integrity: { status: 'truncated', detail: expect.stringMatching(/end-of-central-directory/) } });
    expect(r.maxRssAddedMB).toBeLessThan(20);
  }, 90_000);

  it('the legacy magic and a string claiming 200 MB: refused at the pickle limit', async () => {
    const r = await bounded('legacy');
    expect(r.checkpoints.items[0]).toMatchObject({ format: 'torch-legacy', integrity: { status: 'unchecked', detail: `not checked: legacy pickles exceed ${DEFAULT_MAX_PICKLE_BYTES} bytes` } });
  }, 90_000);

  it('a safetensors header claiming 100 MB is refused unread; one just under the limit is read and found invalid', async () => {
    const r = await bounded('safetensors');
    expect(integrity(r, 'header-over.safetensors')).toMatchObject({ status: 'corrupt', detail: expect.stringMatching(/claims \d+ bytes \(limit/) });
    expect(integrity(r, 'header-under.safetensors')).toMatchObject({ status: 'corrupt', detail: 'safetensors header is not valid JSON' });
  }, 90_000);

  it('a valid ZIP64 layout whose data.pkl is a 250 MB hole is refused unread; a 63 MB one is read and found corrupt', async () => {
    const r = await bounded('zip');
    expect(integrity(r, 'pkl-over.pt')).toMatchObject({ status: 'unchecked', detail: expect.stringMatching(/data\.pkl holds 262144000 bytes \(limit/) });
    expect(integrity(r, 'pkl-under.pt')).toMatchObject({ status: 'corrupt', detail: expect.stringMatching(/unknown pickle opcode 0x00/) });
    for (const c of r.checkpoints.items) expect(c.bytes).toBeGreaterThan(SPARSE_SIZE);
  }, 90_000);
});
