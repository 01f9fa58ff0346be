import { lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import type { IgnoreMatcher } from './ignore.js';
import { escapeName, isUtf8Name } from './names.js';
import {
  KIND_DIR,
  KIND_OTHER,
  KIND_SYMLINK,
  W_BADNAME,
  W_OTHERFS,
  kindOfMode,
  type BatchWriter,
} from './batch.js';

/** One folder to list: its absolute path (bytes when a name on the way is not UTF-8), display path and key. */
export interface WalkTask {
  path: string | Uint8Array;
  rel: string;
  key: number;
  /** Inode seen when the folder was listed by its parent; null for the walk's start (it may be a symlinked root). */
  ino: bigint | null;
}

export interface WalkerOptions {
  rootDev: number;
  ignore: IgnoreMatcher | null;
  writer: BatchWriter;
  /** Folder keys are keyBase, keyBase + keyStep, …: unique across workers without talking. */
  keyBase: number;
  keyStep: number;
}

const BIG = { bigint: true, throwIfNoEntry: false } as const;
const SLASH = Buffer.from('/');

/**
 * The synchronous walk, one folder at a time from an explicit stack (no
 * recursion, so 1,000 levels are fine). Synchronous readdir/lstat in a
 * worker is 5× faster than a promise per lstat; the event loop it blocks is
 * the worker's own.
 */
export class Walker {
  readonly stack: WalkTask[] = [];
  /** Entries emitted so far. */
  emitted = 0;
  private local = 0;

  constructor(private readonly o: WalkerOptions) {}

  /** The key the next folder would get (the caller may hand the rest of the keyspace to others). */
  get nextKey(): number {
    return this.o.keyBase + this.o.keyStep * this.local;
  }

  /** Lists one folder: emits every child (not ignored), pushes the subfolders to enter. */
  listDir(t: WalkTask): void {
    let names: string[];
    try {
      if (typeof t.path !== 'string') return this.listRaw(t);
      names = readdirSync(t.path);
    } catch (e) {
      this.o.writer.dirError(t.key, errCode(e));
      return;
    }
    if (!this.stillSameDir(t)) return;
    // Node decodes bad UTF-8 as U+FFFD: such folders are listed again as bytes.
    for (let i = 0; i < names.length; i++) if (names[i].includes('\uFFFD')) return this.listRaw(t);
    const prefix = t.path.endsWith('/') ? t.path : `${t.path}/`;
    const relPrefix = t.rel === '' ? '' : `${t.rel}/`;
    const ignore = this.o.ignore;
    for (const name of names) {
      if (ignore !== null && ignore(name, relPrefix + name)) continue;
      this.child(t.key, prefix + name, relPrefix, name, 0);
    }
  }

  private listRaw(t: WalkTask): void {
    let names: Buffer[];
    try {
      names = readdirSync(t.path as string, { encoding: 'buffer' });
    } catch (e) {
      this.o.writer.dirError(t.key, errCode(e));
      return;
    }
    if (typeof t.path !== 'string' && !this.stillSameDir(t)) return;
    const ignore = this.o.ignore;
    const base = typeof t.path === 'string' ? Buffer.from(t.path) : Buffer.from(t.path.buffer, t.path.byteOffset, t.path.length);
    const needSlash = base[base.length - 1] !== 0x2f;
    for (const raw of names) {
      const good = isUtf8Name(raw);
      const name = good ? raw.toString('utf8') : escapeName(raw);
      const relPrefix = t.rel === '' ? '' : `${t.rel}/`;
      if (ignore !== null && ignore(name, relPrefix + name)) continue;
      const path = good && typeof t.path === 'string'
        ? (needSlash ? `${t.path}/` : t.path) + name
        : Buffer.concat(needSlash ? [base, SLASH, raw] : [base, raw]);
      this.child(t.key, path, relPrefix, raw, good ? 0 : W_BADNAME, name);
    }
  }

  /** `name` is what goes into the batch (raw bytes for non-UTF-8 names); `shown` its display form. */
  private child(
    parentKey: number,
    path: string | Buffer,
    relPrefix: string,
    name: string | Uint8Array,
    flags: number,
    shown = name as string,
  ): void {
    const w = this.o.writer;
    let st: BigIntStats | undefined;
    let err: string | undefined;
    try {
      st = lstatSync(path, BIG);
      if (st === undefined) err = 'ENOENT';
    } catch (e) {
      err = errCode(e);
    }
    // A name that vanished or cannot be stat'ed is still recorded, as "other", with its error.
    const kind = st === undefined ? KIND_OTHER : kindOfMode(Number(st.mode));
    let key = -1;
    if (kind === KIND_DIR && st !== undefined) {
      key = this.o.keyBase + this.o.keyStep * this.local++;
      if (Number(st.dev) !== this.o.rootDev) flags |= W_OTHERFS;
      else this.stack.push({ path, rel: relPrefix + shown, key, ino: st.ino });
    }
    const index = w.add(parentKey, key, kind | flags, st, name);
    this.emitted++;
    if (err !== undefined) w.error(index, err);
    if (kind === KIND_SYMLINK) {
      try {
        const target = readlinkSync(path, { encoding: 'buffer' });
        w.target(index, isUtf8Name(target) ? target.toString('utf8') : escapeName(target));
      } catch {
        // The link vanished after lstat: its entry stands, only the display target is missing.
      }
    }
  }

  /**
   * readdir follows symlinks: if a folder was swapped for a link (or another
   * folder) between the parent's lstat and our readdir, the listing is not
   * of the entry we recorded, so it is dropped and the folder gets an error.
   */
  private stillSameDir(t: WalkTask): boolean {
    if (t.ino === null) return true;
    let st: BigIntStats | undefined;
    try {
      st = lstatSync(t.path as string, BIG);
    } catch (e) {
      this.o.writer.dirError(t.key, errCode(e));
      return false;
    }
    if (st !== undefined && st.isDirectory() && st.ino === t.ino) return true;
    const code = st === undefined ? 'ENOENT' : st.isSymbolicLink() ? 'ELOOP' : st.isDirectory() ? 'ESTALE' : 'ENOTDIR';
    this.o.writer.dirError(t.key, code);
    return false;
  }
}

export function errCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'EIO';
}
