// Measures a full duplicates run on a checkpoints tree (by default a freshly
// generated demo project): cold (empty hash cache), then cached after a
// reopen of the state file, as after a restart. Not a test: it prints figures.
// A third run with an empty hash cache shows the cost with the OS page cache
// warm (the cold run pays for first reads). The demo's checkpoints all differ in their first bytes, so `--copies N`
// (default 8 on a generated demo, 0 on a given folder) adds hole-preserving
// copies of N of them under `bench-copies/`, for the full-hash stage to do.
//
//   npx tsx server/dups/bench-dups.ts [PROJECT_OR_CHECKPOINTS_DIR] [--copies N]
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemoProject } from '../demo/generate.js';
import { RootFs } from '../fs/root-fs.js';
import { ScanService } from '../scan/scan-service.js';
import { Store } from '../store/store.js';
import { candidatesFromIndex } from './candidates.js';
import { findDuplicates, type DuplicateResult } from './find.js';
import { StoreHashCache } from './hash-cache.js';

const GB = 1e9;
const { values, positionals } = parseArgs({ allowPositionals: true, options: { copies: { type: 'string' } } });
const arg = positionals[0];
const copies = Number(values.copies ?? (arg ? 0 : 8));

/** Copies a file keeping its all-zero MiBs as holes (bench data only: the demo's checkpoints are sparse). */
function sparseCopy(from: string, to: string): void {
  const src = openSync(from, 'r');
  mkdirSync(path.dirname(to), { recursive: true });
  const dst = openSync(to, 'wx');
  const buf = Buffer.alloc(1 << 20);
  const zero = Buffer.alloc(1 << 20);
  let pos = 0;
  try {
    for (let n; (n = readSync(src, buf, 0, buf.length, pos)) > 0; pos += n) {
      if (!buf.subarray(0, n).equals(zero.subarray(0, n))) writeSync(dst, buf, 0, n, pos);
    }
    ftruncateSync(dst, pos);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ckptdash-bench-dups-'));

try {
  let root: string;
  if (arg) {
    root = path.resolve(arg);
    if (existsSync(path.join(root, 'checkpoints'))) root = path.join(root, 'checkpoints');
  } else {
    const t = performance.now();
    await generateDemoProject(path.join(scratch, 'demo'));
    root = path.join(scratch, 'demo', 'checkpoints');
    console.log(`demo generated in ${Math.round(performance.now() - t)} ms`);
  }
  if (copies > 0) {
    const probe = new ScanService(root, { workers: 2 });
    probe.start();
    await probe.ready();
    // Every k-th file, so copies come from several runs and sizes.
    const all = candidatesFromIndex(probe.index!).sort((a, b) => (a.path < b.path ? -1 : 1));
    await probe.close();
    const step = Math.max(1, Math.floor(all.length / copies));
    for (let i = 0; i < copies && i * step < all.length; i++) {
      const c = all[i * step];
      sparseCopy(path.join(root, c.path), path.join(root, 'bench-copies', c.path));
    }
    console.log(`${copies} checkpoints copied under bench-copies/`);
  }

  const scan = new ScanService(root, { workers: 2 });
  scan.start();
  await scan.ready();
  await scan.idle();
  const t = performance.now();
  const cands = candidatesFromIndex(scan.index!);
  const listMs = performance.now() - t;
  const sizes = new Map<number, number>();
  for (const c of cands) sizes.set(c.bytes, (sizes.get(c.bytes) ?? 0) + 1);
  const sameSize = [...sizes.values()].filter((n) => n > 1).reduce((s, n) => s + n, 0);
  const apparent = cands.reduce((s, c) => s + c.bytes, 0);
  console.log(
    `${cands.length} model files, ${(apparent / GB).toFixed(1)} GB apparent; ${sameSize} share a size with another; candidates listed in ${listMs.toFixed(1)} ms`,
  );

  const stateFile = path.join(scratch, 'state.sqlite');
  const rootFs = new RootFs(root);
  const run = async (label: string, file = stateFile): Promise<DuplicateResult> => {
    const store = Store.open(file);
    try {
      const stages: string[] = [];
      const r = await findDuplicates(cands, { rootFs, cache: new StoreHashCache(store), onStage: (s, n) => stages.push(`${s} ${n}`) });
      const wasted = r.groups.reduce((s, g) => s + g.bytes * (g.paths.length - 1), 0);
      const rate = r.ms > 0 ? `${(r.hashedBytes / GB / (r.ms / 1000)).toFixed(2)} GB/s` : '-';
      console.log(
        `${label}: ${r.ms} ms, hashed ${(r.hashedBytes / GB).toFixed(3)} GB (${rate}), ${r.cachedFiles} files from cache, ` +
          `${r.groups.length} groups / ${r.groups.reduce((s, g) => s + g.paths.length, 0)} files / ${(wasted / GB).toFixed(2)} GB wasted; stages: ${stages.join(', ')}`,
      );
      return r;
    } finally {
      store.close();
    }
  };
  const cold = await run('cold  ');
  await run('cached');
  // Empty hash cache again, but the OS page cache now holds the files: hashing alone, without disk.
  await run('warm  ', path.join(scratch, 'state-2.sqlite'));
  for (const g of cold.groups.slice(0, 5)) console.log(`  ${(g.bytes / GB).toFixed(2)} GB × ${g.paths.length}: ${g.paths.join(', ')}`);
  await scan.close();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
