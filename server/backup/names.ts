// Names inside a backup archive and of the archive itself. The archive is
// flat, like the seed's (`seed123_final.pt` for
// `…/seed123/final_model.pt`), so `tar -tzf` reads like a list of models;
// the MANIFEST keeps every original path.

/** The archive entry that describes the others; no backed-up file may take this name. */
export const MANIFEST_NAME = 'MANIFEST.json';
/** Suffix of an archive still being written (never listed). */
export const PARTIAL_SUFFIX = '.partial';
const ARCHIVE_PREFIX = 'checkpoints_backup_';
const ARCHIVE_SUFFIX = '.tar.gz';

/** `final_model` → `final`, `best_model_12` → `best_12`: `_model` says nothing in a list of models. */
function shortStem(stem: string): string {
  const s = stem.replace(/_model(?=_|$)/, '');
  return s === '' ? stem : s;
}

function splitExt(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
}

/** The name of `segs` (a path's segments) with `depth` folders above the file (at least one where there is one). */
function flatAt(segs: readonly string[], depth: number): string {
  const [stem, ext] = splitExt(segs[segs.length - 1]);
  const folders = segs.slice(Math.max(0, segs.length - 1 - depth), -1);
  return [...folders, shortStem(stem)].join('_') + ext;
}

/**
 * Unique flat names for root-relative file paths, in the order given:
 * 1. parent folder + `_` + the file's stem without `_model` + its extension
 *    (`session10/ensemble/seed123/final_model.pt` → `seed123_final.pt`; a
 *    file at the top of the root keeps only its short stem);
 * 2. names that clash (compared case-insensitively, so an extraction on a
 *    case-insensitive disk cannot clash either) take one more folder from
 *    above, all of them, until they differ or run out of folders
 *    (`session10_seed123_final.pt`, `session13_seed123_final.pt`);
 * 3. what still clashes gets `_2`, `_3`… before the extension, in the order given.
 * `MANIFEST.json` is never produced.
 */
export function flattenNames(paths: readonly string[]): string[] {
  const segs = paths.map((p) => p.split('/'));
  const depth = segs.map(() => 1);
  const names = segs.map((s, i) => flatAt(s, depth[i]));
  const key = (n: string) => n.toLowerCase();
  for (;;) {
    const groups = new Map<string, number[]>();
    names.forEach((n, i) => groups.set(key(n), [...(groups.get(key(n)) ?? []), i]));
    let grew = false;
    for (const [k, members] of groups) {
      if (members.length < 2 && k !== key(MANIFEST_NAME)) continue;
      for (const i of members) {
        if (depth[i] >= segs[i].length - 1) continue;
        depth[i]++;
        names[i] = flatAt(segs[i], depth[i]);
        grew = true;
      }
    }
    if (!grew) break;
  }
  const taken = new Set<string>([key(MANIFEST_NAME)]);
  return names.map((n) => {
    let out = n;
    const [stem, ext] = splitExt(n);
    for (let c = 2; taken.has(key(out)); c++) out = `${stem}_${c}${ext}`;
    taken.add(key(out));
    return out;
  });
}

/** `checkpoints_backup_<YYYYMMDD>[_<n>].tar.gz` for the local date of `now`; `n` from 2 on. */
export function archiveName(now: number, n = 1): string {
  const d = new Date(now);
  const ymd = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
  return `${ARCHIVE_PREFIX}${ymd}${n > 1 ? `_${n}` : ''}${ARCHIVE_SUFFIX}`;
}

/** A name the API may use to address a backup: a plain `.tar.gz` file name in the backups folder, never a path. */
export function isBackupName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > ARCHIVE_SUFFIX.length &&
    name.length <= 255 &&
    name.endsWith(ARCHIVE_SUFFIX) &&
    !name.startsWith('.') &&
    !/[/\0]/.test(name)
  );
}

/** True for our own unfinished archives (`checkpoints_backup_….tar.gz.partial`). */
export function isPartialName(name: string): boolean {
  return name.startsWith(ARCHIVE_PREFIX) && name.endsWith(ARCHIVE_SUFFIX + PARTIAL_SUFFIX);
}
