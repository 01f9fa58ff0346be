import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ScanOptions, ScanService } from '../../scan/scan-service.js';
import { onCleanup, scanned, snapshot } from '../../scan/test-utils/trees.js';
import { FolderWatcher, type FolderWatcherOptions } from '../folder-watcher.js';

export interface Notice {
  level: string;
  code: string;
  message: string;
}

/** A ready scan of `root` with a started watcher (short debounce), both closed after the test. */
export async function watched(
  root: string,
  opts: Partial<FolderWatcherOptions> = {},
  scanOptions: ScanOptions = {},
): Promise<{ s: ScanService; w: FolderWatcher; notices: Notice[] }> {
  const s = await scanned(root, scanOptions);
  const notices: Notice[] = [];
  const w = new FolderWatcher(s, { root, debounceMs: 20, onNotice: (level, code, message) => notices.push({ level, code, message }), ...opts });
  // Cleanups run last-registered first: the watcher closes before its scan.
  onCleanup(() => w.close());
  await w.start();
  return { s, w, notices };
}

/** The live index equals a fresh full scan of the same root: every entry's kind, sizes, file counts, mtime, etag, error. */
export async function expectSameAsFresh(s: ScanService, root: string, label: string): Promise<void> {
  const fresh = await scanned(root);
  expect(snapshot(s), label).toEqual(snapshot(fresh));
  await fresh.close();
}

/** Folders on disk under `root`, the root included, symlinks not followed. */
export function countDirs(root: string): number {
  let n = 1;
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (lstatSync(p).isDirectory()) n += countDirs(p);
  }
  return n;
}

/** Waits until `cond` holds (a periodic re-read has no event to wait for). */
export async function waitFor(cond: () => boolean, label: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
