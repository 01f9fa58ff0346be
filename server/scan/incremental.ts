import { lstat, readlink, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { KIND_DIR } from './batch.js';
import { F_FRESH, F_LIVE, F_OTHERFS, STAMPS, S_INO } from './columns.js';
import { escapeName, isUtf8Name } from './names.js';
import { StatIn } from './stat-in.js';
import { ROOT, type TreeIndex } from './tree-index.js';
import { walkInto, type WalkSettings } from './walk-into.js';
import { errCode } from './walker.js';

export interface IncrementalContext {
  ix: TreeIndex;
  /** Absolute root path, as given (it may itself be a symlink: only the root is followed). */
  root: string;
  settings: WalkSettings;
}

const GONE = new Set(['ENOENT', 'ENOTDIR']);

/**
 * Brings one path in line with the disk: re-lstat it and add, change or
 * remove it (a new folder is walked). Its folder's own stat is refreshed too
 * (adding or removing a name changes the folder's mtime), and so are the other
 * names of a hard-linked inode (they share the stat). Never a full scan.
 */
export async function applyPath(ctx: IncrementalContext, rel: string): Promise<void> {
  const { ix } = ctx;
  if (rel === '') return refreshOwn(ctx, ROOT);
  const cut = rel.lastIndexOf('/');
  const parentRel = cut < 0 ? '' : rel.slice(0, cut);
  const name = rel.slice(cut + 1);
  const parent = ix.lookup(parentRel);
  // The folder itself is new (or was a file): adding it walks this path too.
  if (parent < 0 || ix.kind(parent) !== KIND_DIR) return applyPath(ctx, parentRel);
  if ((ix.c.flags[parent] & F_OTHERFS) !== 0) return;
  const nameBytes = Buffer.from(name, 'utf8');
  const existing = ix.findChild(parent, nameBytes, 0, nameBytes.length);
  const ignored = ctx.settings.matcher?.(name, rel) ?? false;
  const abs = absPath(ctx, rel);
  const found = ignored ? null : await lstatOf(abs);
  if (found === null) {
    if (existing >= 0) ix.removeSubtree(existing);
  } else {
    const st = new StatIn().fromStats(found.st, found.err, ctx.settings.rootDev, await targetOf(found.st, abs));
    if (existing >= 0 && ix.kind(existing) === st.kind) {
      const oldIno = inoOf(ix, existing);
      ix.update(existing, st);
      if (st.kind === KIND_DIR && oldIno !== inoOf(ix, existing)) await walkFolder(ctx, existing, abs, rel, found.st);
      else if (st.kind !== KIND_DIR) copyToLinks(ix, existing, st);
    } else {
      if (existing >= 0) ix.removeSubtree(existing);
      const id = ix.create(parent, nameBytes, 0, nameBytes.length, false, st);
      if (st.kind === KIND_DIR) {
        ix.c.flags[id] |= F_FRESH;
        await walkFolder(ctx, id, abs, rel, found.st);
      } else {
        copyToLinks(ix, id, st);
      }
    }
  }
  await refreshOwn(ctx, parent);
  await refreshStaleLinks(ctx);
}

/** Walks one folder again and merges it (a moved-in tree, an overflowed watch). */
export async function rescanSubtree(ctx: IncrementalContext, rel: string): Promise<void> {
  const { ix } = ctx;
  const id = ix.lookup(rel);
  if (id < 0 || ix.kind(id) !== KIND_DIR) return applyPath(ctx, rel);
  const abs = absPath(ctx, rel);
  const found = id === ROOT ? await statOf(abs) : await lstatOf(abs);
  if (found === null || found.st === undefined || !found.st.isDirectory()) return applyPath(ctx, rel);
  ix.update(id, new StatIn().fromStats(found.st, found.err, ctx.settings.rootDev));
  await walkFolder(ctx, id, abs, rel, id === ROOT ? undefined : found.st);
  await refreshStaleLinks(ctx);
}

async function walkFolder(ctx: IncrementalContext, id: number, abs: string, rel: string, st: BigIntStats | undefined): Promise<void> {
  const { ix } = ctx;
  if ((ix.c.flags[id] & F_OTHERFS) !== 0) {
    // Like `du -x`: a mount point is listed, never entered.
    for (const ch of ix.childrenOf(id)) ix.removeSubtree(ch);
    ix.c.flags[id] &= ~F_FRESH;
    return;
  }
  await walkInto(ix, id, { path: abs, rel, ino: st?.ino ?? null }, ctx.settings);
}

/** Re-reads a folder's own stat (its mtime moves when names are added or removed). */
async function refreshOwn(ctx: IncrementalContext, id: number): Promise<void> {
  const abs = absPath(ctx, ctx.ix.pathOf(id));
  const found = id === ROOT ? await statOf(abs) : await lstatOf(abs);
  // A folder that vanished is removed by the event about it, not guessed here.
  if (found === null || found.st === undefined || !found.st.isDirectory()) return;
  ctx.ix.update(id, new StatIn().fromStats(found.st, '', ctx.settings.rootDev));
}

/** A link appeared or vanished: the remaining names' nlink and ctime moved on disk. */
async function refreshStaleLinks(ctx: IncrementalContext): Promise<void> {
  const { ix } = ctx;
  const ids = [...ix.staleLinks];
  ix.staleLinks.clear();
  const done = new Set<number>();
  for (const id of ids) {
    if ((ix.c.flags[id] & F_LIVE) === 0 || done.has(id)) continue;
    const abs = Buffer.concat([Buffer.from(ctx.root), Buffer.from('/'), ix.pathBytes(id)]);
    const found = await lstatOf(abs);
    if (found === null || found.st === undefined) continue;
    const st = new StatIn().fromStats(found.st, '', ctx.settings.rootDev, await targetOf(found.st, abs));
    if (st.kind !== ix.kind(id)) continue;
    ix.update(id, st);
    for (const m of copyToLinks(ix, id, st)) done.add(m);
  }
  ix.staleLinks.clear();
}

/** Hard links share one inode, so a fresh lstat of one is a fresh lstat of all. */
function copyToLinks(ix: TreeIndex, id: number, st: StatIn): number[] {
  if ((ix.c.flags[id] & F_LIVE) === 0 || ix.errorOf(id) !== undefined) return [id];
  const group = ix.inodes.groupOf(id);
  for (const m of group) if (m !== id && ix.kind(m) === st.kind) ix.update(m, st);
  return group;
}

interface Found {
  st: BigIntStats | undefined;
  err: string;
}

/** null when the path is gone; a stat, or an error code to record (like the walker does). */
async function lstatOf(abs: string | Buffer): Promise<Found | null> {
  try {
    return { st: await lstat(abs, { bigint: true }), err: '' };
  } catch (e) {
    const code = errCode(e);
    return GONE.has(code) ? null : { st: undefined, err: code };
  }
}

async function statOf(abs: string): Promise<Found | null> {
  try {
    return { st: await stat(abs, { bigint: true }), err: '' };
  } catch (e) {
    const code = errCode(e);
    return GONE.has(code) ? null : { st: undefined, err: code };
  }
}

async function targetOf(st: BigIntStats | undefined, abs: string | Buffer): Promise<string | undefined> {
  if (st === undefined || !st.isSymbolicLink()) return undefined;
  try {
    const t = await readlink(abs, { encoding: 'buffer' });
    return isUtf8Name(t) ? t.toString('utf8') : escapeName(t);
  } catch {
    return undefined;
  }
}

function absPath(ctx: IncrementalContext, rel: string): string {
  if (rel === '') return ctx.root;
  return ctx.root.endsWith('/') ? ctx.root + rel : `${ctx.root}/${rel}`;
}

function inoOf(ix: TreeIndex, id: number): string {
  const o = id * STAMPS + S_INO;
  return `${ix.c.stamps[o]}:${ix.c.stamps[o + 1]}`;
}

