import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { Entry } from '../../../shared/schemas/entry.js';
import { ScanService, type ScanOptions } from '../scan-service.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

/** Runs after the current test (last registered first). */
export function onCleanup(f: () => unknown): void {
  cleanups.push(f);
}

/** A fresh real folder under the system temp dir, removed after the test. */
export function tempRoot(prefix = 'ckpt-scan-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Creates a file of `size` bytes (written, so it uses disk) or, with sparse, only its apparent size. */
export function put(root: string, rel: string, size = 0, sparse = false): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  if (sparse) {
    closeSync(openSync(p, 'w'));
    truncateSync(p, size);
  } else {
    writeFileSync(p, Buffer.alloc(size, 7));
  }
  return p;
}

/** A started scan that is ready, closed after the test. */
export async function scanned(root: string, options: ScanOptions = {}): Promise<ScanService> {
  const s = new ScanService(root, { workers: 2, ...options });
  onCleanup(() => s.close());
  s.start();
  await s.ready();
  await s.idle();
  return s;
}

export type Snap = Pick<Entry, 'kind' | 'bytes' | 'diskBytes' | 'files' | 'mtimeMs' | 'etag' | 'tags' | 'error' | 'children' | 'target'> & {
  inode?: number;
  nlink?: number;
  dirs?: number;
};

/** Every entry the service can list, by path, with its details where the path is addressable. */
export function snapshot(s: ScanService): Map<string, Snap> {
  const out = new Map<string, Snap>();
  const root = s.entry('');
  if (root === null) throw new Error('no root');
  out.set('', pick(root));
  const stack = [''];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const page = s.list(dir, { sort: 'name', order: 'asc', limit: Number.MAX_SAFE_INTEGER });
    if (page === null) continue;
    for (const e of page.entries) {
      const details = s.entry(e.path);
      out.set(e.path, pick(details ?? e));
      if (e.kind === 'dir') stack.push(e.path);
    }
  }
  return out;
}

function pick(e: Entry & { inode?: number; nlink?: number; dirs?: number }): Snap {
  const { kind, bytes, diskBytes, files, mtimeMs, etag, tags, error, children, target, inode, nlink, dirs } = e;
  return JSON.parse(JSON.stringify({ kind, bytes, diskBytes, files, mtimeMs, etag, tags, error, children, target, inode, nlink, dirs }));
}

/** Each listed folder's totals equal what its children contribute (a hard link tagged `hardlink` adds nothing). */
export function expectConsistent(s: ScanService): void {
  const stack = [''];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const page = s.list(dir, { limit: Number.MAX_SAFE_INTEGER });
    if (page === null) continue;
    const self = s.entry(dir)!;
    let bytes = 0;
    let disk = 0;
    let files = 0;
    let newest = -Infinity;
    for (const e of page.entries) {
      const counted = e.kind === 'dir' || !e.tags.includes('hardlink');
      if (counted) {
        bytes += e.bytes;
        disk += e.diskBytes;
        files += e.files;
      }
      newest = Math.max(newest, e.mtimeMs);
      if (e.kind === 'dir') stack.push(e.path);
    }
    expect({ dir, bytes: self.bytes, disk: self.diskBytes, files: self.files, children: self.children }).toEqual({
      dir,
      bytes,
      disk,
      files,
      children: page.total,
    });
    expect(self.mtimeMs).toBeGreaterThanOrEqual(newest);
  }
}

/** What is on disk, computed independently (plain recursive lstat, each inode once): the reference for totals. */
export function diskTotals(root: string): { bytes: number; diskBytes: number; files: number; dirs: number } {
  const seen = new Set<string>();
  const t = { bytes: 0, diskBytes: 0, files: 0, dirs: 0 };
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        t.dirs++;
        walk(p);
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      t.bytes += st.size;
      t.diskBytes += st.blocks * 512;
      if (st.isFile()) t.files++;
    }
  };
  walk(root);
  return t;
}
