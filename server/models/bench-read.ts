// Measures the model readers on a whole checkpoints tree (by default a
// freshly generated demo project): full reads (metadata + quick integrity)
// and quick integrity alone, every file opened through RootFs as the app
// does. Not a test: it prints figures.
//
//   node --import tsx server/models/bench-read.ts [PROJECT_OR_CHECKPOINTS_DIR] [--rounds N]
import { closeSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RootFs } from '../fs/root-fs.js';
import { fdSource } from './byte-source.js';
import { rootFsFolder } from './folder-files.js';
import { groupCheckpoints } from './group.js';
import { quickIntegrity } from './integrity.js';
import { readCheckpoint } from './read-checkpoint.js';
import { readCheckpointFolder, readShardSet } from './read-folder.js';
import type { CheckpointUnit } from './group.js';

interface Unit {
  dir: string;
  unit: CheckpointUnit;
}

function findUnits(fs: RootFs, rel = '', out: Unit[] = []): Unit[] {
  const fd = fs.openDir(rel);
  let entries;
  try {
    entries = readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true });
  } finally {
    closeSync(fd);
  }
  const dirs = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  const units = groupCheckpoints(entries.map((e) => e.name), (n) => dirs.has(n));
  for (const unit of units) out.push({ dir: rel, unit });
  const inside = new Set(units.filter((u) => u.kind === 'folder').map((u) => u.name));
  for (const d of [...dirs].sort()) if (!inside.has(d)) findUnits(fs, rel ? `${rel}/${d}` : d, out);
  return out;
}

const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);

function readUnit(fs: RootFs, u: Unit, quickOnly: boolean): string {
  if (u.unit.kind === 'folder') return readCheckpointFolder(rootFsFolder(fs, join(u.dir, u.unit.name))).integrity.status;
  if (u.unit.kind === 'shards') return readShardSet(rootFsFolder(fs, u.dir), u.unit.parts).integrity.status;
  const { fd, stat } = fs.openFile(join(u.dir, u.unit.name));
  try {
    const size = Number(stat.size);
    if (quickOnly) return quickIntegrity(fdSource(fd, size)).status;
    return readCheckpoint(fd, size, Number(stat.mtimeNs) / 1e6).integrity.status;
  } finally {
    closeSync(fd);
  }
}

function round(fs: RootFs, units: Unit[], quickOnly: boolean): { ms: number; statuses: Map<string, number> } {
  const statuses = new Map<string, number>();
  const t0 = performance.now();
  for (const u of units) {
    const s = readUnit(fs, u, quickOnly);
    statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  return { ms: performance.now() - t0, statuses };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '5' } } });
  const rounds = Math.max(1, Number(values.rounds));
  let cleanup: string | undefined;
  let root = positionals[0];
  if (!root) {
    cleanup = mkdtempSync(path.join(os.tmpdir(), 'ckptdash-bench-read-'));
    // Dev tool only: the app itself never imports the demo generator.
    const { generateDemoProject } = await import('../demo/generate.js');
    const t = performance.now();
    await generateDemoProject(cleanup);
    console.log(`generated the demo project in ${(performance.now() - t).toFixed(0)} ms`);
    root = cleanup;
  }
  if (existsSync(path.join(root, 'checkpoints'))) root = path.join(root, 'checkpoints');
  try {
    const fs = new RootFs(path.resolve(root));
    const units = findUnits(fs);
    console.log(`${units.length} checkpoints (${units.filter((u) => u.unit.kind === 'file').length} files) under ${path.basename(root)}/`);
    for (const [label, quick] of [['full read (format + metadata + quick integrity)', false], ['quick integrity only', true]] as const) {
      const times: number[] = [];
      let statuses = new Map<string, number>();
      for (let i = 0; i < rounds; i++) {
        const r = round(fs, units, quick);
        times.push(r.ms);
        statuses = r.statuses;
      }
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(
        `${label}: first ${times[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, best ${sorted[0].toFixed(0)} ms over ${rounds} rounds` +
          ` → ${((units.length / median) * 1000).toFixed(0)} checkpoints/s (median); statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
    }
  } finally {
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  }
}

await main();
