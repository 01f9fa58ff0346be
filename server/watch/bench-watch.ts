/**
 * Folder watcher benchmark on a generated tree:
 *
 *   node --expose-gc --import tsx server/watch/bench-watch.ts [--files 200000] [--per-dir 100] [--idle 10] [--samples 50] [--debounce 50] [--keep DIR] [--json FILE]
 *
 * Prints the time and memory to start watching after the first scan (one
 * fs.watch per folder; the kernel's own count of inotify watches is read
 * from /proc/self/fdinfo), the CPU time used over `--idle` seconds of idle
 * watching (and, for reference, of the same process before watching), and the latency from a file's creation to the `tree` event that
 * carries it (median and p95 over `--samples` files, one at a time). The
 * tree is the scanner benchmark's shape (sessionS/runR/seedK/, `--per-dir`
 * empty files per leaf). Not a test: nothing here asserts a time.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateScanTree, quantile, sleep, writeSectionJson } from '../../bench/lib.js';
import { ScanService } from '../scan/scan-service.js';
import { FolderWatcher } from './folder-watcher.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '200000' },
    'per-dir': { type: 'string', default: '100' },
    idle: { type: 'string', default: '10' },
    samples: { type: 'string', default: '50' },
    debounce: { type: 'string', default: '50' },
    keep: { type: 'string' },
    json: { type: 'string' },
  },
});
const files = Number(values.files);
const perDir = Number(values['per-dir']);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

function memory(): NodeJS.MemoryUsage {
  gc?.();
  gc?.();
  return process.memoryUsage();
}

/** inotify watches this process holds, as the kernel counts them. */
function kernelWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // The descriptor closed while listing.
    }
  }
  return n;
}

/** CPU time of the whole process over `s` seconds of doing nothing; collected first, so that V8's idle-time heap reduction does not land in the window. */
async function idleCpu(s: number): Promise<{ user: number; system: number; text: string }> {
  memory();
  await sleep(200);
  const c0 = process.cpuUsage();
  await sleep(s * 1000);
  const c = process.cpuUsage(c0);
  const user = c.user / 1000;
  const system = c.system / 1000;
  return { user, system, text: `CPU user ${user.toFixed(1)} ms, system ${system.toFixed(1)} ms (${((100 * (user + system)) / (s * 1000)).toFixed(3)} % of a core)` };
}

async function main(): Promise<void> {
  const root = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'ckpt-watch-bench-'));
  const generated = !existsSync(join(root, 'session0'));
  const scan = new ScanService(root, { workers: 2 });
  let watcher: FolderWatcher | undefined;
  // Watches and the watcher's timers do not hold the process open (a server's listening socket does): this does here.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    const tg = performance.now();
    const leaves = generateScanTree(root, files, perDir, generated);
    if (generated) console.log(`generated ${files} files in ${((performance.now() - tg) / 1000).toFixed(1)} s under ${root}`);
    scan.start();
    await scan.ready();
    await scan.idle();
    const { entries, dirs } = scan.summary();
    console.log(`scanned: ${entries} entries, ${dirs} folders (+ the root)`);
    const idleS = Number(values.idle);
    const idleBefore = await idleCpu(idleS);
    console.log(`idle ${idleS} s before watching: ${idleBefore.text}`);

    watcher = new FolderWatcher(scan, { root, debounceMs: Number(values.debounce) });
    const m0 = memory();
    const t0 = performance.now();
    await watcher.start();
    const ms = performance.now() - t0;
    const m1 = memory();
    console.log(`start watching: ${ms.toFixed(0)} ms, ${watcher.watchCount} fs.watch handles, ${kernelWatches()} kernel inotify watches`);
    console.log(
      `  memory added: RSS ${mb(m1.rss - m0.rss)}, JS heap ${mb(m1.heapUsed - m0.heapUsed)} ` +
        `(process total: RSS ${mb(m1.rss)}, heap ${mb(m1.heapUsed)}, of which the index's typed arrays ${mb(m1.arrayBuffers)})`,
    );

    await watcher.idle();
    const idleWatching = await idleCpu(idleS);
    console.log(`idle ${idleS} s while watching: ${idleWatching.text}`);

    const lat: number[] = [];
    for (let i = 0; i < Number(values.samples); i++) {
      const rel = join(leaves[(i * 7919) % leaves.length], `bench_new_${i}.pt`);
      const seen = new Promise<number>((res) => {
        const on = (e: { upserts: Array<{ path: string }> }) => {
          if (!e.upserts.some((u) => u.path === rel)) return;
          scan.off('tree', on);
          res(performance.now());
        };
        scan.on('tree', on);
      });
      const t = performance.now();
      writeFileSync(join(root, rel), Buffer.alloc(1024));
      lat.push((await seen) - t);
      rmSync(join(root, rel));
      await watcher.idle();
      await sleep(20);
    }
    console.log(
      `creation → tree event over ${lat.length} files (debounce ${values.debounce} ms): median ${quantile(lat, 0.5).toFixed(1)} ms, ` +
        `p95 ${quantile(lat, 0.95).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`,
    );
    writeSectionJson(values.json, {
      section: 'watch',
      entries,
      dirs,
      start: { ms, handles: watcher.watchCount, kernelWatches: kernelWatches(), rssAdded: m1.rss - m0.rss, heapAdded: m1.heapUsed - m0.heapUsed, rss: m1.rss },
      idle: { seconds: idleS, before: idleBefore, watching: idleWatching, percentOfCore: (100 * (idleWatching.user + idleWatching.system)) / (idleS * 1000) },
      event: { samples: lat.length, debounceMs: Number(values.debounce), median: quantile(lat, 0.5), p95: quantile(lat, 0.95), max: Math.max(...lat) },
    });
  } finally {
    clearInterval(keepAlive);
    await watcher?.close();
    await scan.close();
    if (generated && !values.keep) rmSync(root, { recursive: true, force: true });
  }
}

await main();
