// The references of every source, looked up by target. Built once from a
// full read, then patched one file at a time by the project watcher and
// re-resolved (without reading files) when the checkpoints tree changes.
import type { Reference } from '../../shared/schemas/entry.js';
import { refsFromHits, type FileRefs, type FoundRef, type ReadOneResult, type ReferenceScan } from './reader.js';
import type { ExistsFn } from './resolve.js';
import type { SkippedSource } from './sources.js';

/** A reference whose target no longer exists. */
export interface StaleReference {
  file: string;
  line: number;
  key?: string;
  target: string;
}

function byFileLine(a: Reference, b: Reference): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

/** What the project's sources reference, by target. */
export class ReferenceIndex {
  /** Bumps whenever anything an answer depends on changes. */
  version = 0;
  private readonly byFile = new Map<string, FileRefs>();
  private readonly byTarget = new Map<string, Set<string>>();
  private readonly skippedByFile = new Map<string, string>();

  constructor(scan?: ReferenceScan) {
    if (scan) this.replaceAll(scan);
  }

  /** Replaces everything with a fresh full read. */
  replaceAll(scan: ReferenceScan): void {
    this.byFile.clear();
    this.byTarget.clear();
    this.skippedByFile.clear();
    for (const f of scan.files.values()) this.link(f);
    for (const s of scan.skipped) this.skippedByFile.set(s.file, s.reason);
    this.version++;
  }

  /** Sources not read, and why. */
  get skipped(): SkippedSource[] {
    return [...this.skippedByFile].map(([file, reason]) => ({ file, reason })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  /** Number of sources read. */
  get fileCount(): number {
    return this.byFile.size;
  }

  has(file: string): boolean {
    return this.byFile.has(file);
  }

  file(file: string): FileRefs | undefined {
    return this.byFile.get(file);
  }

  files(): IterableIterator<FileRefs> {
    return this.byFile.values();
  }

  /** Every reference to exactly this root-relative path, by file then line. */
  refsTo(target: string): Reference[] {
    const files = this.byTarget.get(target);
    if (!files) return [];
    const out: Reference[] = [];
    for (const name of files) {
      const f = this.byFile.get(name)!;
      for (const r of f.refs) {
        if (r.target !== target) continue;
        const ref: Reference = { file: f.file, line: r.line, protects: f.protects, missing: r.missing };
        if (r.key !== undefined) ref.key = r.key;
        out.push(ref);
      }
    }
    return out.sort(byFileLine);
  }

  /** Every referenced root-relative path, existing or not. */
  targets(): Iterable<string> {
    return this.byTarget.keys();
  }

  /** References whose target does not exist, by file then line. */
  stale(): StaleReference[] {
    const out: StaleReference[] = [];
    for (const f of this.byFile.values()) {
      for (const r of f.refs) {
        if (!r.missing) continue;
        out.push(r.key === undefined ? { file: f.file, line: r.line, target: r.target } : { file: f.file, line: r.line, key: r.key, target: r.target });
      }
    }
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  }

  /** Applies a single-file re-read; returns whether anything changed. */
  apply(result: ReadOneResult): boolean {
    if (result.status === 'read') return this.setFile(result.refs);
    const file = result.status === 'skipped' ? result.skipped.file : result.file;
    let changed = this.removeFile(file);
    if (result.status === 'skipped' && this.skippedByFile.get(file) !== result.skipped.reason) {
      this.skippedByFile.set(file, result.skipped.reason);
      changed = true;
    }
    if (changed) this.version++;
    return changed;
  }

  /** Puts (or replaces) one file's references. */
  setFile(refs: FileRefs): boolean {
    const old = this.byFile.get(refs.file);
    if (old) this.unlink(old);
    this.skippedByFile.delete(refs.file);
    this.link(refs);
    this.version++;
    return true;
  }

  /** Forgets one file (deleted or no longer a source); returns whether it was known. */
  removeFile(file: string): boolean {
    const old = this.byFile.get(file);
    const wasSkipped = this.skippedByFile.delete(file);
    if (old) this.unlink(old);
    if (old || wasSkipped) this.version++;
    return old !== undefined || wasSkipped;
  }

  /** Forgets every file at or below a project-relative folder (it was deleted or renamed away). */
  removeUnder(dir: string): string[] {
    const prefix = `${dir}/`;
    const gone = [...new Set([...this.byFile.keys(), ...this.skippedByFile.keys()])].filter((f) => f === dir || f.startsWith(prefix));
    for (const f of gone) this.removeFile(f);
    return gone;
  }

  /** Recomputes targets and `missing` from the kept hits after the tree changed; returns whether anything changed. */
  recheckMissing(exists: ExistsFn): boolean {
    let changed = false;
    for (const f of [...this.byFile.values()]) {
      const refs = refsFromHits(f.hits, exists);
      if (sameRefs(f.refs, refs)) continue;
      this.unlink(f);
      this.link({ ...f, refs });
      changed = true;
    }
    if (changed) this.version++;
    return changed;
  }

  private link(f: FileRefs): void {
    this.byFile.set(f.file, f);
    for (const r of f.refs) {
      let set = this.byTarget.get(r.target);
      if (!set) this.byTarget.set(r.target, (set = new Set()));
      set.add(f.file);
    }
  }

  private unlink(f: FileRefs): void {
    this.byFile.delete(f.file);
    for (const r of f.refs) {
      const set = this.byTarget.get(r.target);
      if (!set) continue;
      set.delete(f.file);
      if (set.size === 0) this.byTarget.delete(r.target);
    }
  }
}

function sameRefs(a: readonly FoundRef[], b: readonly FoundRef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.target !== y.target || x.line !== y.line || x.key !== y.key || x.missing !== y.missing) return false;
  }
  return true;
}
