// Duplicate files by content, reading as little as possible: files are
// grouped by size, then by a hash of their two ends, and only files still
// sharing both are hashed in full. Hashes are cached by (path, etag), so a
// second run over an unchanged tree reads nothing.
import type { RootFs } from '../fs/root-fs.js';
import { inodeKey, type DupCandidate } from './candidates.js';
import type { HashCache } from './hash-cache.js';
import { currentEtag, FileDropped, hashFull, hashPartial, partialReadBytes, type DropReason, type HashIo } from './hash-file.js';

/** The hashing stages, in order, for progress messages. */
export type DupStage = 'partial' | 'full' | 'verify';

/** How `findDuplicates` reads, caches, reports and stops. */
export interface FindOptions {
  rootFs: RootFs;
  cache?: HashCache;
  signal?: AbortSignal;
  /** Bytes hashed so far and the bytes this run expects to hash (the total grows once the full stage knows its files). */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** A stage begins, over this many files. */
  onStage?: (stage: DupStage, files: number) => void;
}

/** Files with identical content: `hash` is the sha256 of the whole file. */
export interface DuplicateGroup {
  hash: string;
  /** Size of each file (all equal). */
  bytes: number;
  /** Sorted; at least two. */
  paths: string[];
}

/** What a run found. */
export interface DuplicateResult {
  /** Most wasted bytes first. */
  groups: DuplicateGroup[];
  /** The other paths with the same content as `path` (none when it has no twin). */
  twinsOf(path: string): string[];
  /** The etag a grouped path had when it was compared: a later change voids its `duplicate` tag. */
  etagOf(path: string): string | undefined;
  /** Files compared (after removing empty files and extra names of one inode). */
  candidates: number;
  /** Content bytes read and hashed by this run. */
  hashedBytes: number;
  /** Files that needed hashes and got them all from the cache. */
  cachedFiles: number;
  /** Files that vanished, changed or could not be read during the run: left out, not errors. */
  dropped: { path: string; reason: DropReason }[];
  ms: number;
}

interface FileState {
  c: DupCandidate;
  partial?: string;
  full?: string;
  /** Hashes came from the cache only (so far). */
  cached: boolean;
}

/** Buckets by key, keeping buckets of two or more. */
function groupsOf<T>(items: Iterable<T>, keyOf: (t: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = keyOf(t);
    const g = m.get(k);
    if (g) g.push(t);
    else m.set(k, [t]);
  }
  return [...m.values()].filter((g) => g.length > 1);
}

/**
 * Partial hashes are two small reads per file, bound by latency rather than
 * bandwidth: a few files in flight keep the disk queue busy. Full hashes stay
 * one file at a time, where one sequential stream is what a disk does best.
 */
const PARTIAL_CONCURRENCY = 4;

/** Runs `work` over `items` with at most `limit` in flight; waits for all before rethrowing the first failure. */
async function inPool<T>(items: readonly T[], limit: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const ends = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const bad = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
  if (bad) throw bad.reason;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Finds files with identical content among `input` (see the file comment for the stages). */
export async function findDuplicates(input: readonly DupCandidate[], opts: FindOptions): Promise<DuplicateResult> {
  const t0 = performance.now();
  const { rootFs, cache, signal } = opts;
  signal?.throwIfAborted();

  // The caller should already pass one path per inode; a second name would otherwise look like a twin.
  const byInode = new Map<string, DupCandidate>();
  for (const c of input) {
    if (c.bytes <= 0) continue;
    const k = inodeKey(c.dev, c.ino);
    const seen = byInode.get(k);
    if (!seen || c.path < seen.path) byInode.set(k, c);
  }
  const candidates = byInode.size;

  let done = 0;
  let total = 0;
  const dropped: DuplicateResult['dropped'] = [];
  const io: HashIo = {
    rootFs,
    signal,
    onBytes: (n) => {
      done += n;
      opts.onProgress?.(done, total);
    },
  };
  /** Runs one hashing; a file that cannot be hashed as indexed is dropped (false). */
  const attempt = async (work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (err) {
      if (!(err instanceof FileDropped)) throw err;
      dropped.push({ path: err.path, reason: err.reason });
      return false;
    }
  };

  // Stage 1 → 2: same size, then the same two ends.
  const sized = groupsOf(byInode.values(), (c) => String(c.bytes)).flat();
  const files: FileState[] = sized.map((c) => {
    const hit = cache?.get(c.path, c.etag);
    return { c, partial: hit?.partial, full: hit?.full, cached: hit !== undefined };
  });
  const toPartial = files.filter((f) => f.partial === undefined);
  total = toPartial.reduce((s, f) => s + partialReadBytes(f.c.bytes), 0);
  opts.onStage?.('partial', toPartial.length);
  opts.onProgress?.(done, total);
  const lost = new Set<FileState>();
  await inPool(toPartial, PARTIAL_CONCURRENCY, async (f) => {
    const ok = await attempt(async () => {
      const h = await hashPartial(io, f.c);
      f.partial = h.partial;
      f.full = h.full;
      cache?.put(f.c.path, f.c.etag, h.partial, h.full);
    });
    if (!ok) lost.add(f);
  });

  // Stage 3: whole-file hashes, only where size and both ends agree.
  const partials = groupsOf(
    files.filter((f) => !lost.has(f)),
    (f) => `${f.c.bytes}:${f.partial}`,
  );
  const toFull = partials.flat().filter((f) => f.full === undefined);
  total += toFull.reduce((s, f) => s + f.c.bytes, 0);
  opts.onStage?.('full', toFull.length);
  opts.onProgress?.(done, total);
  for (const f of toFull) {
    const ok = await attempt(async () => {
      f.full = await hashFull(io, f.c);
      f.cached = false;
      cache?.put(f.c.path, f.c.etag, f.partial!, f.full);
    });
    if (!ok) lost.add(f);
  }

  // Hashes taken early in a long run (or from the cache) may describe a file changed since: look once more.
  const fulls = groupsOf(
    partials.flat().filter((f) => !lost.has(f)),
    (f) => `${f.c.bytes}:${f.full}`,
  );
  opts.onStage?.('verify', fulls.reduce((s, g) => s + g.length, 0));
  const groups: DuplicateGroup[] = [];
  let looked = 0;
  for (const g of fulls) {
    // Each look is a few synchronous syscalls: let other work in now and then.
    if ((looked += g.length) >= 256) {
      looked = 0;
      await new Promise<void>((r) => setImmediate(r));
    }
    signal?.throwIfAborted();
    const alive = g.filter((f) => {
      const now = currentEtag(rootFs, f.c.path);
      if ('etag' in now && now.etag === f.c.etag) return true;
      dropped.push({ path: f.c.path, reason: 'drop' in now ? now.drop : 'changed' });
      return false;
    });
    if (alive.length > 1) groups.push({ hash: alive[0].full!, bytes: alive[0].c.bytes, paths: alive.map((f) => f.c.path).sort(cmp) });
  }
  // Dropped files never got their expected bytes read: the run is complete at what it did read.
  opts.onProgress?.(done, done);
  groups.sort((a, b) => b.bytes * (b.paths.length - 1) - a.bytes * (a.paths.length - 1) || cmp(a.hash, b.hash));

  const groupOf = new Map<string, DuplicateGroup>();
  for (const g of groups) for (const p of g.paths) groupOf.set(p, g);
  const etags = new Map(files.map((f) => [f.c.path, f.c.etag]));
  const cachedFiles = files.filter((f) => f.cached && !lost.has(f)).length;
  dropped.sort((a, b) => cmp(a.path, b.path));
  return {
    groups,
    twinsOf: (path) => groupOf.get(path)?.paths.filter((p) => p !== path) ?? [],
    etagOf: (path) => (groupOf.has(path) ? etags.get(path) : undefined),
    candidates,
    hashedBytes: done,
    cachedFiles,
    dropped,
    ms: Math.round(performance.now() - t0),
  };
}
