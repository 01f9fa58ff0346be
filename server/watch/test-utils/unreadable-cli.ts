/**
 * Watches a tree as an unprivileged user (root reads through chmod 000) while
 * folders turn unreadable and readable again, and prints after each step
 * whether the live index equals a fresh scan, as JSON lines.
 *   node --import tsx server/watch/test-utils/unreadable-cli.ts ROOT
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ScanService } from '../../scan/scan-service.js';
import { FolderWatcher } from '../folder-watcher.js';
import { differingPaths, indexSnapshot } from './index-snapshot.js';

const root = process.argv[2];
const put = (rel: string, size: number) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), Buffer.alloc(size));
};

async function scanned(): Promise<ScanService> {
  const s = new ScanService(root, { workers: 1 });
  s.start();
  await s.ready();
  await s.idle();
  return s;
}

put('open/a.pt', 10);
put('locked/b.pt', 20);
put('locked/sub/c.pt', 30);
put('later/d.pt', 40);
const s = await scanned();
// Unreadable after the scan listed it, before its watch: the watch itself is refused (EACCES).
chmodSync(join(root, 'later'), 0o000);
const w = new FolderWatcher(s, { root, debounceMs: 20 });
await w.start();

async function step(name: string, paths: string[]): Promise<void> {
  await w.idle();
  const fresh = await scanned();
  const diff = differingPaths(indexSnapshot(s), indexSnapshot(fresh));
  await fresh.close();
  const entries = Object.fromEntries(paths.map((p) => [p, s.entry(p)]));
  process.stdout.write(`${JSON.stringify({ step: name, diff, watchCount: w.watchCount, entries })}\n`);
}

await step('watch refused', ['later']);
chmodSync(join(root, 'locked'), 0o000);
await step('watched folder made unreadable', ['locked', 'locked/sub']);
// Another module re-lstat'ing the folder (a deletion nearby) clears its error in the index: the watcher lists it again.
await s.applyPath('locked');
await step('unreadable folder re-lstat\'ed elsewhere', ['locked']);
put('open/new.pt', 5);
await step('other folders still followed', ['open/new.pt']);
chmodSync(join(root, 'locked'), 0o755);
await step('readable again', ['locked', 'locked/sub/c.pt']);
put('locked/sub/e.pt', 7);
await step('its subfolder watched again', ['locked/sub/e.pt']);
chmodSync(join(root, 'later'), 0o755);
await step('refused folder readable', ['later', 'later/d.pt']);
put('later/f.pt', 9);
await step('refused folder watched now', ['later/f.pt']);
mkdirSync(join(root, 'born-locked'), { mode: 0o000 });
await step('folder created unreadable', ['born-locked']);
await w.close();
await s.close();
