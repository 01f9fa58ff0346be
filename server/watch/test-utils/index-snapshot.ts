import type { ScanService } from '../../scan/scan-service.js';

/**
 * Every entry the service can list, by path, with what a fresh scan must
 * agree on. Like `snapshot` in server/scan/test-utils/trees.ts, without
 * vitest, for child processes.
 */
export function indexSnapshot(s: ScanService): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const stack = [''];
  out[''] = pick(s.entry(''));
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const page = s.list(dir, { sort: 'name', order: 'asc', limit: Number.MAX_SAFE_INTEGER });
    for (const e of page?.entries ?? []) {
      out[e.path] = pick(s.entry(e.path) ?? e);
      if (e.kind === 'dir') stack.push(e.path);
    }
  }
  return out;
}

function pick(e: Record<string, unknown> | null): unknown {
  if (e === null) return null;
  const { kind, bytes, diskBytes, files, mtimeMs, etag, error, children, target, inode, nlink, dirs } = e;
  return JSON.parse(JSON.stringify({ kind, bytes, diskBytes, files, mtimeMs, etag, error, children, target, inode, nlink, dirs }));
}

/** The paths whose entries differ between two snapshots (empty when equal). */
export function differingPaths(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
