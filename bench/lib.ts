// Small helpers shared by the benchmark scripts: statistics, the generated
// scan tree, and the JSON file each section hands to `bench/run.ts`.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The value below which a fraction `q` of the samples fall (nearest rank). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes a section's results where `--json FILE` asked for them; does nothing without the flag. */
export function writeSectionJson(file: string | undefined, data: unknown): void {
  if (file) writeFileSync(file, JSON.stringify(data, null, 2));
}

/** Whether a command can be started (a missing Debian package makes its row say so). */
export function installed(cmd: string, probe = '--version'): boolean {
  return spawnSync(cmd, [probe], { stdio: 'ignore' }).error === undefined;
}

/**
 * The scan benchmarks' tree: sessionS/runR/seedK/checkpoint_epochN.pt with
 * `perDir` empty files per leaf folder; every 1000th file is a sparse 40 GB
 * one. Returns the leaf folders, relative to `root`; with `write` false it
 * only computes them (for a tree kept from an earlier run).
 */
export function generateScanTree(root: string, files: number, perDir = 100, write = true): string[] {
  const leaves: string[] = [];
  let made = 0;
  for (let d = 0; made < files; d++) {
    const rel = join(`session${d % 20}`, `run${Math.floor(d / 20) % 50}`, `seed${d}`);
    leaves.push(rel);
    if (write) mkdirSync(join(root, rel), { recursive: true });
    for (let i = 0; i < perDir && made < files; i++, made++) {
      if (!write) continue;
      const p = join(root, rel, `checkpoint_epoch${i}.pt`);
      closeSync(openSync(p, 'w'));
      if (made % 1000 === 0) truncateSync(p, 40e9);
    }
  }
  return leaves;
}
