// POST /api/tags as domain logic: validate the request against the tag rules,
// store it, and announce the entries whose tags or protection changed.
import { AUTOMATIC_TAGS, userTagProblem } from '../../shared/tag-rules.js';
import { badRequest, notFound } from '../errors.js';
import { parentOf } from '../models-service/units.js';
import type { UserTags } from './user-tags.js';

/** What the edit needs from the index. */
export interface TagEditTarget {
  exists(path: string): boolean;
  /** The direct children of a folder (empty for a file). */
  children(path: string): string[];
  /** Re-announces entries (their files did not change). */
  touch(paths: Iterable<string>): void;
}

export interface TagEdit {
  path: string;
  add?: readonly string[];
  remove?: readonly string[];
  note?: string;
}

const clean = (t: string) => t.trim().toLowerCase();

/** Applies one edit; throws ApiError 400/404 before changing anything. */
export function applyTagEdit(user: UserTags, target: TagEditTarget, edit: TagEdit): void {
  if (!target.exists(edit.path)) throw notFound(`no entry ${JSON.stringify(edit.path)} under the checkpoints directory`);
  const add = [...new Set((edit.add ?? []).map(clean))];
  const remove = [...new Set((edit.remove ?? []).map(clean))];
  for (const t of add) {
    const problem = userTagProblem(t);
    if (problem) throw badRequest('INVALID_TAG', problem);
  }
  const mine = new Set(user.tagsOf(edit.path));
  for (const t of remove) {
    if (mine.has(t)) continue;
    if ((AUTOMATIC_TAGS as readonly string[]).includes(t)) {
      throw badRequest('AUTOMATIC_TAG', `"${t}" is computed by ckptdash; it cannot be removed (only tags you set can)`);
    }
  }
  const note = edit.note === undefined ? undefined : edit.note.trim();
  user.apply(edit.path, add, remove.filter((t) => mine.has(t)), note);
  // Protection runs up and down the tree: the folders above show it, and so do the rows just inside.
  const touched = [edit.path, ...target.children(edit.path)];
  for (let p = edit.path; p !== ''; ) touched.push((p = parentOf(p)));
  target.touch(touched);
}
