// Turns a candidate string into a root-relative target: it is tried as an
// absolute path, relative to the project, then relative to the referencing
// file's folder. Only the in-memory index is asked whether a target exists,
// so resolving never touches the disk.
import path from 'node:path';

/** Extensions of model files (PRODUCT.md "Vocabulary": checkpoint). */
export const MODEL_EXTENSIONS: readonly string[] = ['.pt', '.pth', '.ckpt', '.bin', '.safetensors'];

/** Answers from the index whether a root-relative path exists. */
export type ExistsFn = (rootRel: string) => boolean;

/** Where a candidate was found. */
export interface ResolveContext {
  /** Absolute real path of the project folder. */
  project: string;
  /** Absolute real path of the checkpoints directory. */
  root: string;
  /** Absolute folder of the referencing file. */
  fileDir: string;
}

/** The root-relative POSIX path of `abs` when it is strictly inside the root, else null. */
export function insideRoot(root: string, abs: string): string | null {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  if (!abs.startsWith(prefix) || abs.length === prefix.length) return null;
  return abs.slice(prefix.length);
}

/**
 * Every distinct root-relative target a candidate can name, in the order the
 * forms are tried; empty when none lands inside the root.
 */
export function targetForms(candidate: string, ctx: ResolveContext): string[] {
  if (candidate.length === 0 || candidate.includes('\0')) return [];
  const bases = path.posix.isAbsolute(candidate) ? [''] : [ctx.project, ctx.fileDir];
  // Most tokens of a script are bare words: one segment joined to a folder outside the root stays outside.
  const oneSegment = !candidate.includes('/');
  const out: string[] = [];
  for (const base of bases) {
    if (oneSegment && base !== ctx.root && insideRoot(ctx.root, base) === null) continue;
    const abs = path.posix.resolve('/', base, candidate);
    const rel = insideRoot(ctx.root, abs);
    if (rel !== null && !out.includes(rel)) out.push(rel);
  }
  return out;
}

/** Whether a path that does not exist still names a checkpoint, so a reference to it is stale rather than noise. */
export function looksLikeCheckpoint(rootRel: string, exists: ExistsFn): boolean {
  const name = rootRel.slice(rootRel.lastIndexOf('/') + 1);
  const lower = name.toLowerCase();
  if (MODEL_EXTENSIONS.some((ext) => lower.endsWith(ext))) return true;
  if (/^checkpoint-\d+$/.test(name) || /^global_step\d+$/.test(name)) return true;
  // Under a folder the index knows: a file of a run that was renamed or deleted.
  for (let cut = rootRel.lastIndexOf('/'); cut > 0; cut = rootRel.lastIndexOf('/', cut - 1)) {
    if (exists(rootRel.slice(0, cut))) return true;
  }
  return false;
}

/** A resolved reference target. */
export interface Resolved {
  target: string;
  missing: boolean;
}

/**
 * Picks the first form that exists; else the first form that looks like a
 * checkpoint, as missing; else null (a word that happens to land in the root).
 */
export function pickTarget(forms: readonly string[], exists: ExistsFn): Resolved | null {
  for (const f of forms) if (exists(f)) return { target: f, missing: false };
  for (const f of forms) if (looksLikeCheckpoint(f, exists)) return { target: f, missing: true };
  return null;
}

/** Resolves one candidate string found in a file under `ctx.fileDir`. */
export function resolveCandidate(candidate: string, ctx: ResolveContext, exists: ExistsFn): Resolved | null {
  return pickTarget(targetForms(candidate, ctx), exists);
}
