// What a backup job backs up, read from the index and the tag rules: the
// checkpoints protected themselves (the seed's six models), or a selection
// of paths, each expanded into regular files with the etags the index holds.
import { naturalCompare } from '../../shared/natural-sort.js';
import { ApiError } from '../errors.js';
import { normalizeRelPath } from '../fs/paths.js';
import { joinPath } from '../models-service/units.js';
import { KIND_DIR, KIND_FILE } from '../scan/batch.js';
import { F_BADNAME } from '../scan/columns.js';
import { etagOf } from '../scan/entry-view.js';
import type { TreeIndex } from '../scan/tree-index.js';
import type { Classification } from '../tags/classify.js';
import type { SourceFile } from './writer.js';

/** A selection bigger than this is a mistake, not a backup of models. */
export const MAX_BACKUP_FILES = 10_000;

/** Regular files at or below `id` (links never followed; names that are not UTF-8 cannot be opened by path). */
function filesBelow(ix: TreeIndex, id: number, path: string, out: SourceFile[]): void {
  const k = ix.kind(id);
  if (k === KIND_FILE) {
    if ((ix.c.flags[id] & F_BADNAME) === 0) out.push({ path, etag: etagOf(ix, id) });
    return;
  }
  if (k !== KIND_DIR) return;
  const kids = ix.childrenOf(id).map((ch) => [ix.nameOf(ch), ch] as const).sort((a, b) => naturalCompare(a[0], b[0]));
  for (const [name, ch] of kids) {
    if ((ix.c.flags[ch] & F_BADNAME) !== 0) continue;
    filesBelow(ix, ch, joinPath(path, name), out);
    if (out.length > MAX_BACKUP_FILES) throw new ApiError(400, 'TOO_MANY_FILES', `more than ${MAX_BACKUP_FILES} files selected`);
  }
}

/** The files of one checkpoint: itself, its shards and index, or everything in its folder. */
function unitFiles(ix: TreeIndex, cls: Classification, unit: string, out: SourceFile[]): void {
  const u = cls.units.get(unit)!;
  const paths = u.ref.kind === 'shards' ? u.ref.parts.map((p) => joinPath(u.ref.run, p)) : [unit];
  for (const p of paths) {
    const id = cls.idOf(p);
    if (id < 0) throw new ApiError(409, 'CHANGED', `${p} is gone: reload and try again`);
    filesBelow(ix, id, p, out);
  }
}

function dedupe(files: SourceFile[]): SourceFile[] {
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.path) && seen.add(f.path));
}

/** Checkpoints protected themselves (a pin source, a `critical`/`historical` tag, a resume point), as files. */
export function protectedCheckpointFiles(ix: TreeIndex, cls: Classification): { units: string[]; files: SourceFile[] } {
  const units = new Set<string>();
  for (const p of cls.direct.keys()) {
    const unit = cls.units.has(p) ? p : cls.partOf.get(p);
    if (unit !== undefined) units.add(unit);
  }
  const sorted = [...units].sort(naturalCompare);
  const files: SourceFile[] = [];
  for (const u of sorted) unitFiles(ix, cls, u, files);
  return { units: sorted, files: dedupe(files) };
}

/** A selection of paths: a checkpoint stands for all its files, a folder for every regular file below it. */
export function selectedFiles(ix: TreeIndex, cls: Classification, raw: readonly unknown[]): SourceFile[] {
  const files: SourceFile[] = [];
  for (const r of raw) {
    const p = normalizeRelPath(r);
    if (p === '') throw new ApiError(400, 'INVALID_PATH', 'the whole checkpoints directory cannot be backed up at once: choose checkpoints or folders');
    if (cls.units.has(p)) {
      unitFiles(ix, cls, p, files);
      continue;
    }
    const id = ix.lookup(p);
    if (id < 0) throw new ApiError(404, 'NOT_FOUND', `no such entry: ${p}`);
    const k = ix.kind(id);
    if (k !== KIND_FILE && k !== KIND_DIR) throw new ApiError(409, 'NOT_A_FILE', `${p} is neither a file nor a folder (links are never followed)`);
    filesBelow(ix, id, p, files);
  }
  const out = dedupe(files);
  if (out.length > MAX_BACKUP_FILES) throw new ApiError(400, 'TOO_MANY_FILES', `more than ${MAX_BACKUP_FILES} files selected`);
  return out;
}
