// Finds the project's pin and text sources: a bounded walk that never follows
// a symlink, never enters the checkpoints root, and only descends into folders
// some glob could match (a big unrelated folder costs one readdir entry).
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_CONFIG_NAME } from '../project-config.js';
import { compileSourceGlobs, type SourceKind, type SourceMatcher } from './globs.js';

/** Pin sources unless the project config says otherwise (PRODUCT.md "Vocabulary"). */
export const DEFAULT_PIN_SOURCES: readonly string[] = ['configs/**/*.{json,yaml,yml,toml}', '*.{json,yaml,yml,toml}'];
/** Text sources unless the project config says otherwise. */
export const DEFAULT_TEXT_SOURCES: readonly string[] = ['scripts/**', '*.{sh,py}'];
/** Files above this are skipped and reported. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** The walk stops after this many sources. */
export const MAX_SOURCE_FILES = 5000;

// Folders no project keeps its own configs in, and that can be huge.
const NEVER_ENTER = new Set(['.git', 'node_modules']);

/** Where to look for sources, and what to leave alone. */
export interface SourceOptions {
  /** Absolute real path of the project folder. */
  project: string;
  /** Absolute real path of the checkpoints directory (never entered). */
  root: string;
  pinSources?: readonly string[];
  textSources?: readonly string[];
  /** Project-relative (or absolute) paths never read: the demo manifest, the state folder, backups. */
  exclude?: readonly string[];
  maxFiles?: number;
  maxBytes?: number;
}

/** A source file found by the walk. */
export interface SourceFile {
  /** Project-relative POSIX path. */
  file: string;
  abs: string;
  kind: SourceKind;
  size: number;
  mtimeMs: number;
}

/** A source not read, and why: `symlink`, `too-large`, `limit`, `binary`, or an errno code. */
export interface SkippedSource {
  file: string;
  reason: string;
}

/** The rules shared by the walk, single re-reads and the watcher. */
export interface SourceScope {
  project: string;
  root: string;
  matcher: SourceMatcher;
  maxFiles: number;
  maxBytes: number;
  /** Project-relative path of a file or folder (never read, never entered), or null when outside the project. */
  rel(abs: string): string | null;
  /** True for the root, `.git`, `node_modules`, excluded paths and anything below them. */
  isOff(rel: string): boolean;
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/** Compiles the options into the rules every reader of sources applies. */
export function sourceScope(opts: SourceOptions): SourceScope {
  const project = path.resolve(opts.project);
  const root = path.resolve(opts.root);
  const rel = (abs: string): string | null => {
    const r = toPosix(path.relative(project, path.resolve(project, abs)));
    if (r === '') return '';
    if (r === '..' || r.startsWith('../') || path.isAbsolute(r)) return null;
    return r;
  };
  const rootRel = rel(root);
  const excluded = new Set<string>([PROJECT_CONFIG_NAME]);
  for (const e of opts.exclude ?? []) {
    const r = rel(e.replace(/\/+$/, ''));
    if (r) excluded.add(r);
  }
  const isOff = (r: string): boolean => {
    if (r === '') return false;
    if (r.split('/').some((s) => NEVER_ENTER.has(s))) return true;
    if (rootRel !== null && (rootRel === '' || r === rootRel || r.startsWith(`${rootRel}/`))) return true;
    for (let cut = r.length; cut > 0; cut = r.lastIndexOf('/', cut - 1)) {
      if (excluded.has(r.slice(0, cut))) return true;
    }
    return false;
  };
  return {
    project,
    root,
    matcher: compileSourceGlobs(opts.pinSources ?? DEFAULT_PIN_SOURCES, opts.textSources ?? DEFAULT_TEXT_SOURCES),
    maxFiles: opts.maxFiles ?? MAX_SOURCE_FILES,
    maxBytes: opts.maxBytes ?? MAX_SOURCE_BYTES,
    rel,
    isOff,
  };
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

/** Lists every source file under the project, in name order, with what was skipped and how many folders were read. */
export async function listSources(scope: SourceScope): Promise<{ files: SourceFile[]; skipped: SkippedSource[]; dirsRead: number }> {
  const files: SourceFile[] = [];
  let dirsRead = 0;
  const skipped: SkippedSource[] = [];
  const { matcher } = scope;
  let stopped = false;

  const visit = async (dirRel: string): Promise<void> => {
    const dirAbs = dirRel === '' ? scope.project : path.join(scope.project, ...dirRel.split('/'));
    let entries: Dirent[];
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
      dirsRead++;
    } catch (err) {
      // A folder that vanished mid-walk is simply not there any more.
      if (errCode(err) !== 'ENOENT') skipped.push({ file: dirRel || '.', reason: errCode(err) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const d of entries) {
      if (stopped) return;
      const rel = dirRel === '' ? d.name : `${dirRel}/${d.name}`;
      if (scope.isOff(rel)) continue;
      const kind = matcher.kind(rel);
      if (d.isSymbolicLink()) {
        if (kind !== null || matcher.mayContain(rel)) skipped.push({ file: rel, reason: 'symlink' });
      } else if (d.isDirectory()) {
        if (matcher.mayContain(rel)) subdirs.push(rel);
      } else if (d.isFile() && kind !== null) {
        if (files.length >= scope.maxFiles) {
          skipped.push({ file: rel, reason: 'limit' });
          stopped = true;
          return;
        }
        const abs = path.join(dirAbs, d.name);
        try {
          // lstat, not stat: the entry could have been swapped for a link since readdir.
          const st = await lstat(abs);
          if (st.isSymbolicLink()) skipped.push({ file: rel, reason: 'symlink' });
          else if (!st.isFile()) continue;
          else if (st.size > scope.maxBytes) skipped.push({ file: rel, reason: 'too-large' });
          else files.push({ file: rel, abs, kind, size: st.size, mtimeMs: st.mtimeMs });
        } catch (err) {
          if (errCode(err) !== 'ENOENT') skipped.push({ file: rel, reason: errCode(err) });
        }
      }
    }
    for (const sub of subdirs) {
      if (stopped) return;
      await visit(sub);
    }
  };

  await visit('');
  return { files, skipped, dirsRead };
}
