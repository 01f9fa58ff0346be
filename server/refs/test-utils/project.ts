// Real temporary projects for the reference tests: a `checkpoints/` root and
// the files around it, plus an `exists` answered from a walk of the root (the
// server answers it from its index).
import { lstatSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../test-utils/temp.js';
import type { ExistsFn } from '../resolve.js';

/** A temp project with an empty `checkpoints/` root; both real paths. */
export function tempProject(): { project: string; root: string } {
  const project = realpathSync(tempDir('ckptdash-refs-'));
  const root = path.join(project, 'checkpoints');
  mkdirSync(root);
  return { project, root };
}

/** Writes a file (and its folders) at a path relative to `dir`. */
export function write(dir: string, rel: string, content: string | Buffer = ''): string {
  const file = path.join(dir, ...rel.split('/'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** Every root-relative path under the root right now, like the index holds them. */
export function listRoot(root: string): Set<string> {
  const out = new Set<string>();
  const visit = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const r = rel ? `${rel}/${name}` : name;
      out.add(r);
      const full = path.join(dir, name);
      if (lstatSync(full).isDirectory()) visit(full, r);
    }
  };
  visit(root, '');
  return out;
}

/** An `exists` that re-walks the root on every call batch: fine for small test trees. */
export function liveExists(root: string): ExistsFn {
  return (rel) => listRoot(root).has(rel);
}
