// A checkpoint folder's files as the readers need them: child names, and a
// descriptor for one regular file at a time. The app passes RootFs-backed
// folders (links never followed); tests and the bench pass plain folders.
import { closeSync, constants, fstatSync, openSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../errors.js';
import type { RootFs } from '../fs/root-fs.js';
import { fdSource, readExact } from './byte-source.js';
import { overLimit } from './errors.js';

/** An open regular file; the opener closes it. */
export interface OpenedFile {
  fd: number;
  size: number;
  mtimeMs: number;
}

/** The files directly inside one folder. */
export interface FolderFiles {
  /** Child names (files and folders). */
  names(): string[];
  /** Opens a regular file by name without following links; null when it is absent, a link, or not a regular file. */
  open(name: string): OpenedFile | null;
}

/** The folder `rel` under a RootFs root. */
export function rootFsFolder(fs: RootFs, rel: string): FolderFiles {
  return {
    names() {
      const fd = fs.openDir(rel);
      try {
        return readdirSync(`/proc/self/fd/${fd}`);
      } finally {
        closeSync(fd);
      }
    },
    open(name) {
      try {
        const { fd, stat } = fs.openFile(rel === '' ? name : `${rel}/${name}`);
        return { fd, size: Number(stat.size), mtimeMs: Number(stat.mtimeNs) / 1e6 };
      } catch (err) {
        // Gone, a link, or not a file: the folder simply lacks it. Anything else (EACCES, EIO) is the caller's to see.
        if (err instanceof ApiError && (err.statusCode === 404 || err.statusCode === 409)) return null;
        throw err;
      }
    },
  };
}

/** A folder given by a plain path (tests, the bench, tools outside the server). */
export function localFolder(dir: string): FolderFiles {
  return {
    names: () => readdirSync(dir),
    open(name) {
      let fd: number;
      try {
        fd = openSync(path.join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return null;
        throw err;
      }
      const st = fstatSync(fd);
      if (!st.isFile()) {
        closeSync(fd);
        return null;
      }
      return { fd, size: st.size, mtimeMs: st.mtimeMs };
    },
  };
}

/** Runs `fn` on an opened file and closes it; null when the file cannot be opened. */
export function withFile<T>(folder: FolderFiles, name: string, fn: (f: OpenedFile) => T): T | null {
  const f = folder.open(name);
  if (!f) return null;
  try {
    return fn(f);
  } finally {
    closeSync(f.fd);
  }
}

/** A small text file's contents and mtime; refuses files over `maxBytes`. */
export function readSmallText(folder: FolderFiles, name: string, maxBytes: number): { text: string; mtimeMs: number } | null {
  return withFile(folder, name, (f) => {
    if (f.size > maxBytes) throw overLimit(`${name} is ${f.size} bytes (limit ${maxBytes})`);
    return { text: readExact(fdSource(f.fd, f.size), 0, f.size, name).toString('utf8'), mtimeMs: f.mtimeMs };
  });
}
