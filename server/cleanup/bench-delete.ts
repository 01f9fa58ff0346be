/**
 * Deleting a category through the guard against `rm -rf` of an identical copy:
 *
 *   npx tsx server/cleanup/bench-delete.ts [--folders 40] [--files 25] [--runs 5] [--json FILE]
 *
 * Each run builds two identical trees of debug folders, deletes one as the
 * `conservative` plan's debug category (every check, the journal, the index
 * update) and the other with `rm -rf`, and prints the medians.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, writeSectionJson } from '../../bench/lib.js';
import { buildApp } from '../app.js';
import { plainConfig } from '../test-utils/plain-config.js';

const { values } = parseArgs({
  options: { folders: { type: 'string', default: '40' }, files: { type: 'string', default: '25' }, runs: { type: 'string', default: '5' }, json: { type: 'string' } },
});
const folders = Number(values.folders);
const perFolder = Number(values.files);
const runs = Number(values.runs);
const OLD = new Date(Date.now() - 10 * 86_400_000);

function build(root: string): void {
  for (let d = 0; d < folders; d++) {
    const dir = join(root, `debug_${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perFolder; f++) {
      const p = join(dir, `checkpoint_${f}.pt`);
      closeSync(openSync(p, 'w'));
      truncateSync(p, 1 << 20);
      utimesSync(p, OLD, OLD);
    }
  }
}

const guarded: number[] = [];
const rm: number[] = [];
for (let r = 0; r < runs; r++) {
  const top = mkdtempSync(join(tmpdir(), 'ckptdash-bench-delete-'));
  try {
    const root = join(top, 'checkpoints');
    build(root);
    build(join(top, 'copy'));
    const config = plainConfig(top, 'bench-token-0123456789');
    const app = await buildApp(config, { token: 'bench-token-0123456789' });
    await app.ready();
    await app.ckpt.scan.ready();
    await app.ckpt.models.idle();
    await app.ckpt.project.idle();
    const plan = app.ckpt.tags.plan('conservative')!;
    let t = performance.now();
    for (const it of plan.items) await app.ckpt.deletions.delete({ path: it.path, etag: it.etag, policy: 'conservative' });
    guarded.push(performance.now() - t);
    await app.close();
    t = performance.now();
    spawnSync('sh', ['-c', `rm -rf ${join(top, 'copy')}/*`], { stdio: 'inherit' });
    rm.push(performance.now() - t);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}
const files = folders * perFolder;
console.log(`${files.toLocaleString('en')} files in ${folders} folders, medians of ${runs}:`);
console.log(`| deleter | runs (ms) | median (ms) | ratio |`);
console.log(`| --- | --- | --- | --- |`);
console.log(`| guarded deletion (checks, journal, index) | ${guarded.map((x) => x.toFixed(0)).join(' ')} | ${median(guarded).toFixed(0)} | ${(median(guarded) / median(rm)).toFixed(2)} |`);
console.log(`| rm -rf of an identical copy | ${rm.map((x) => x.toFixed(0)).join(' ')} | ${median(rm).toFixed(0)} | 1.00 |`);
writeSectionJson(values.json, { section: 'delete', files, folders, runs, guarded: { runs: guarded, median: median(guarded) }, rm: { runs: rm, median: median(rm) } });
