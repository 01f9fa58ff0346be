// Backup and full-verify throughput on checkpoints that compress like real
// ones: torch zips (the demo's layout) whose weights are random float32
// values (normal, σ 0.02) instead of the demo's sparse zeros, which gzip
// would shrink to nothing. Compared, in the same run on the same files, with
// `tar -czf` at the same gzip level and with `unzip -tq`. Not a test.
//
//   npx tsx server/backup/bench-backup.ts [--files 6] [--mb 46] [--levels 1,6,9] [--json FILE]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { writeSectionJson } from '../../bench/lib.js';
import { layoutCheckpoint } from '../demo/checkpoint-content.js';
import { RootFs } from '../fs/root-fs.js';
import { verifyCheckpointFile } from '../models/verify.js';
import { statEtag } from '../scan/etag.js';
import { BackupCatalog } from './read.js';
import { writeBackup } from './writer.js';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '6' }, mb: { type: 'string', default: '46' }, levels: { type: 'string', default: '1,6,9' }, json: { type: 'string' } },
});
const FILES = Number(values.files);
const BYTES = Number(values.mb) * 1_000_000;
const LEVELS = values.levels.split(',').map(Number);
const MB = 1_000_000;

/** Float32 weights drawn from N(0, 0.02²), as trained layers roughly look. */
function weights(bytes: number): Buffer {
  const buf = Buffer.allocUnsafe(bytes);
  const n = Math.floor(bytes / 4);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - Math.random()));
    const t = 2 * Math.PI * Math.random();
    buf.writeFloatLE(0.02 * r * Math.cos(t), 4 * i);
    if (i + 1 < n) buf.writeFloatLE(0.02 * r * Math.sin(t), 4 * i + 4);
  }
  buf.fill(0, 4 * n);
  return buf;
}

/** A torch zip of ~`bytes` whose tensor data is random floats, with CRCs that match (descriptor and central directory). */
function writeRandomCheckpoint(file: string, bytes: number, epoch: number): void {
  const layout = layoutCheckpoint(file, { epoch, metrics: { val_px: 3.6 + epoch / 100 }, targetBytes: bytes });
  const fd = openSync(file, 'w');
  try {
    for (const s of layout.segments) writeSync(fd, s.data, 0, s.data.length, s.offset);
    const last = layout.entries[layout.entries.length - 1];
    let central = last.dataOffset + last.size + 16;
    for (const e of layout.entries) {
      if (e.zeros) {
        const data = weights(e.size);
        writeSync(fd, data, 0, data.length, e.dataOffset);
        const crc = Buffer.alloc(4);
        crc.writeUInt32LE(zlib.crc32(data));
        writeSync(fd, crc, 0, 4, e.dataOffset + e.size + 4);
        writeSync(fd, crc, 0, 4, central + 16);
      }
      central += 46 + Buffer.byteLength(e.name);
    }
  } finally {
    closeSync(fd);
  }
}

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
};
const rate = (bytes: number, ms: number) => `${((bytes / MB) * 1000 / ms).toFixed(0)} MB/s`;

const project = mkdtempSync(join(tmpdir(), 'ckptdash-bench-backup-'));
try {
  const root = join(project, 'checkpoints');
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const rel = `session${10 + i}/seed${100 + i}/final_model.pt`;
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeRandomCheckpoint(join(root, rel), BYTES, i + 1);
    paths.push(rel);
  }
  // Ten seconds old at least, or the writer refuses them as being written.
  const old = new Date(Date.now() - 60_000);
  for (const p of paths) utimesSync(join(root, p), old, old);
  const rootFs = new RootFs(root);
  const total = paths.reduce((s, p) => s + statSync(join(root, p)).size, 0);
  const result: Record<string, unknown> = { section: 'backup', files: FILES, bytes: total, levels: [] as unknown[] };
  console.log(`${FILES} torch-zip checkpoints of random float32 weights, ${(total / MB).toFixed(1)} MB in all (${tmpdir()}, warm page cache)`);
  console.log('');
  const extra: string[] = [];
  console.log('gzip level | ckptdash backup (write + read-back)      | write phase | tar -czf (same level)       | archive / source');
  for (const level of LEVELS) {
    const files = paths.map((path) => ({ path, etag: statEtag(rootFs.lstat(path)) }));
    let writeDone = 0;
    const t0 = performance.now();
    const r = await writeBackup({
      project,
      root,
      rootFs,
      files,
      level,
      onProgress: (_d, _t, phase) => {
        if (phase === 'verify' && writeDone === 0) writeDone = performance.now() - t0;
      },
    });
    const ms = performance.now() - t0;
    if (extra.length === 0) {
      // A fresh catalog has to decompress the whole archive to reach the MANIFEST at its end.
      const catalog = new BackupCatalog({ project, root });
      const l0 = performance.now();
      await catalog.list();
      const listMs = performance.now() - l0;
      const v0 = performance.now();
      const v = await catalog.verify(r.file);
      const verifyMs = performance.now() - v0;
      result.verifyBackup = { ms: verifyMs, ok: v.ok, listMs };
      extra.push(`first listing of the level-${level} archive (reads to its MANIFEST): ${(listMs / 1000).toFixed(2)} s; verify-backup (gunzip + sha256 of every entry): ${(verifyMs / 1000).toFixed(2)} s, ${rate(total, verifyMs)}, ok=${v.ok}`);
    }
    rmSync(join(project, 'backups', r.file));
    const out = join(project, `tar-${level}.tar.gz`);
    const [tar, tarMs] = time(() => spawnSync('tar', ['-I', `gzip -${level}`, '-cf', out, '-C', root, ...paths]));
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    const tarBytes = statSync(out).size;
    rmSync(out);
    (result.levels as unknown[]).push({ level, ms, writeMs: writeDone, bytes: r.bytes, tarMs, tarBytes });
    console.log(
      `${String(level).padEnd(10)} | ${(ms / 1000).toFixed(2)} s, ${rate(total, ms).padEnd(9)} ${(r.bytes / MB).toFixed(2)} MB`.padEnd(54) +
        ` | ${(writeDone / 1000).toFixed(2)} s`.padEnd(14) +
        `| ${(tarMs / 1000).toFixed(2)} s, ${rate(total, tarMs).padEnd(9)} ${(tarBytes / MB).toFixed(2)} MB`.padEnd(30) +
        `| ${((100 * r.bytes) / total).toFixed(1)} %`,
    );
  }
  console.log('');
  for (const line of extra) console.log(line);
  let verifyMs = 0;
  for (const p of paths) {
    const { fd, stat } = rootFs.openFile(p);
    const t0 = performance.now();
    const v = await verifyCheckpointFile(fd, Number(stat.size));
    verifyMs += performance.now() - t0;
    closeSync(fd);
    if (v.status !== 'ok') throw new Error(`${p}: ${v.status} ${v.detail ?? ''}`);
  }
  result.fullVerify = { ms: verifyMs };
  console.log(`full verify (verifyCheckpointFile, every CRC-32): ${(verifyMs / 1000).toFixed(2)} s, ${rate(total, verifyMs)}`);
  const probe = spawnSync('unzip', ['-v']);
  if (probe.error) {
    console.log('unzip -tq: not installed here');
  } else {
    const [u, unzipMs] = time(() => paths.map((p) => spawnSync('unzip', ['-tq', join(root, p)], { encoding: 'utf8' })));
    const bad = u.filter((x) => x.status !== 0);
    result.unzip = { ms: unzipMs, errors: bad.length };
    console.log(`unzip -tq on the same files:                        ${(unzipMs / 1000).toFixed(2)} s, ${rate(total, unzipMs)}${bad.length ? ` (${bad.length} reported errors)` : ''}`);
  }
  writeSectionJson(values.json, result);
} finally {
  rmSync(project, { recursive: true, force: true });
}
