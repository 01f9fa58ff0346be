// Reads the project's sources and keeps, per file, every string that lands
// inside the root. Whether each target exists comes from the caller's index,
// so `missing` can be recomputed after the tree changes without re-reading.
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { findCandidates, formatOf } from './parse.js';
import { pickTarget, targetForms, type ExistsFn } from './resolve.js';
import { listSources, sourceScope, type SkippedSource, type SourceOptions, type SourceScope } from './sources.js';

/** One reference found in a file. */
export interface FoundRef {
  /** Root-relative POSIX path. */
  target: string;
  line: number;
  key?: string;
  missing: boolean;
}

/** A string in a file that lands inside the root, in every form it can be read (see resolve.ts). */
export interface RootHit {
  forms: string[];
  line: number;
  key?: string;
}

/** What one source file references. */
export interface FileRefs {
  /** Project-relative POSIX path. */
  file: string;
  /** Pin sources protect their targets; text sources only warn. */
  protects: boolean;
  mtimeMs: number;
  refs: FoundRef[];
  /** Kept so `refs` can be recomputed when the tree changes. */
  hits: RootHit[];
}

/** Result of reading every source of a project. */
export interface ReferenceScan {
  files: Map<string, FileRefs>;
  skipped: SkippedSource[];
  ms: number;
}

/** Source options plus the index lookup. */
export interface ReaderOptions extends SourceOptions {
  exists: ExistsFn;
}

/** Outcome of re-reading one file: read, skipped with a reason, or not a source (gone, excluded, unmatched). */
export type ReadOneResult =
  | { status: 'read'; refs: FileRefs }
  | { status: 'skipped'; skipped: SkippedSource }
  | { status: 'absent'; file: string };

// Text with a NUL this early is a compiled or binary file matched by a wide glob like `scripts/**`.
const BINARY_PROBE = 8000;

/** The references of a file's hits against the current tree; one per target, line and key. */
export function refsFromHits(hits: readonly RootHit[], exists: ExistsFn): FoundRef[] {
  const out: FoundRef[] = [];
  const seen = new Set<string>();
  for (const h of hits) {
    const r = pickTarget(h.forms, exists);
    if (r === null) continue;
    const id = `${r.target}\0${h.line}\0${h.key ?? ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(h.key === undefined ? { target: r.target, line: h.line, missing: r.missing } : { target: r.target, line: h.line, key: h.key, missing: r.missing });
  }
  return out;
}

/** Finds the hits in one file's text. */
export function analyzeText(text: string, file: string, scope: SourceScope): RootHit[] {
  const ctx = { project: scope.project, root: scope.root, fileDir: path.posix.dirname(path.posix.join(scope.project, file)) };
  const hits: RootHit[] = [];
  const seen = new Set<string>();
  for (const c of findCandidates(text, formatOf(file)).candidates) {
    const forms = targetForms(c.value, ctx);
    if (forms.length === 0) continue;
    const id = `${forms.join('\0')}\0${c.line}\0${c.key ?? ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    hits.push(c.key === undefined ? { forms, line: c.line } : { forms, line: c.line, key: c.key });
  }
  return hits;
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

// O_NOFOLLOW: a source swapped for a link after the walk is refused, not read.
// O_NONBLOCK: a FIFO named like a script must not hang the server.
async function readSource(abs: string, file: string, scope: SourceScope): Promise<{ text: string; mtimeMs: number } | SkippedSource | null> {
  let handle;
  try {
    handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return { file, reason: code === 'ELOOP' ? 'symlink' : code };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return null;
    if (st.size > scope.maxBytes) return { file, reason: 'too-large' };
    // One byte more than allowed tells a file that grew since fstat from one that fits.
    const buf = Buffer.alloc(Math.min(st.size, scope.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buf.length) break;
    }
    if (length > scope.maxBytes) return { file, reason: 'too-large' };
    const data = buf.subarray(0, length);
    if (data.subarray(0, BINARY_PROBE).includes(0)) return { file, reason: 'binary' };
    return { text: data.toString('utf8'), mtimeMs: st.mtimeMs };
  } catch (err) {
    return { file, reason: errCode(err) };
  } finally {
    await handle.close();
  }
}

async function readAndAnalyze(file: string, abs: string, scope: SourceScope, exists: ExistsFn): Promise<ReadOneResult> {
  const kind = scope.matcher.kind(file);
  if (kind === null) return { status: 'absent', file };
  const got = await readSource(abs, file, scope);
  if (got === null) return { status: 'absent', file };
  if ('reason' in got) return { status: 'skipped', skipped: got };
  const hits = analyzeText(got.text, file, scope);
  return { status: 'read', refs: { file, protects: kind === 'pin', mtimeMs: got.mtimeMs, refs: refsFromHits(hits, exists), hits } };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reads every source of the project; async and yielding between files so the server stays responsive. */
export async function readReferences(opts: ReaderOptions, scope: SourceScope = sourceScope(opts)): Promise<ReferenceScan> {
  const started = performance.now();
  const listed = await listSources(scope);
  const files = new Map<string, FileRefs>();
  const skipped = [...listed.skipped];
  for (const f of listed.files) {
    const r = await readAndAnalyze(f.file, f.abs, scope, opts.exists);
    if (r.status === 'read') files.set(f.file, r.refs);
    else if (r.status === 'skipped') skipped.push(r.skipped);
    await yieldToLoop();
  }
  return { files, skipped, ms: performance.now() - started };
}

/**
 * Re-reads one project-relative file (after a watcher event). Checks what the
 * walk would: in scope, matched by a glob, no symlink on the way.
 */
export async function readOne(file: string, opts: ReaderOptions, scope: SourceScope = sourceScope(opts)): Promise<ReadOneResult> {
  const rel = scope.rel(file);
  if (rel === null || rel === '' || scope.isOff(rel)) return { status: 'absent', file };
  const parts = rel.split('/');
  const isSource = scope.matcher.kind(rel) !== null;
  // A folder the globs reach is only looked at to report a symlink in its place, as the walk does.
  if (!isSource && !scope.matcher.mayContain(rel)) return { status: 'absent', file: rel };
  let dir = scope.project;
  for (let i = 0; i < (isSource ? parts.length - 1 : parts.length); i++) {
    dir = path.join(dir, parts[i]);
    try {
      const st = await lstat(dir);
      if (st.isSymbolicLink()) return { status: 'skipped', skipped: { file: parts.slice(0, i + 1).join('/'), reason: 'symlink' } };
      if (!st.isDirectory()) return { status: 'absent', file: rel };
    } catch {
      // A missing (or unreadable) folder on the way means the file is not reachable as a source.
      return { status: 'absent', file: rel };
    }
  }
  if (!isSource) return { status: 'absent', file: rel };
  return readAndAnalyze(rel, path.join(scope.project, ...parts), scope, opts.exists);
}
