// The rules of PRODUCT.md "Categories" and "Protection" over the whole index:
// which checkpoints belong to which run, what protects what and why. Pure over
// its inputs (the one read is DeepSpeed's tiny `latest` file, through a
// callback), rebuilt when the index, the models, the references or the user
// tags change.
import type { Reference } from '../../shared/schemas/entry.js';
import type { Category, CategoryMatch, CategoryMatcher } from '../../shared/tag-rules.js';
import { isModelFileName } from '../models/group.js';
import type { UnitFacts } from '../models-service/service.js';
import { parentOf } from '../models-service/units.js';
import { KIND_DIR } from '../scan/batch.js';
import type { TreeIndex } from '../scan/tree-index.js';

/** A run "may still be training" when written to within this window and it has no final model. */
export const RESUME_WINDOW_MS = 24 * 3_600_000;
/** How many protected entries a folder's "contains …" reasons name before summing up the rest. */
const CONTAINS_SHOWN = 3;

/** What the classifier needs from the reference reader. */
export interface ReferenceSource {
  /** Every root-relative path some project file mentions. */
  targets(): Iterable<string>;
  refsTo(target: string): readonly Reference[];
}

/** Everything the rules look at. */
export interface ClassifyInput {
  ix: TreeIndex;
  units: readonly UnitFacts[];
  refs: ReferenceSource;
  /** User tags per path (as stored). */
  userTags: ReadonlyMap<string, ReadonlySet<string>>;
  categories: CategoryMatcher;
  now: number;
  /** Reads a small file under the root (DeepSpeed's `latest`); undefined when it cannot. */
  readSmall?: (path: string) => string | undefined;
  /** Paths with identical content elsewhere (from the duplicates job). */
  duplicates?: ReadonlyMap<string, readonly string[]>;
}

/** One checkpoint with its category by its own name. */
export interface UnitView extends UnitFacts {
  own?: CategoryMatch;
}

/** A folder that directly holds checkpoints. */
export interface RunView {
  path: string;
  units: UnitView[];
  /** The run's finished model, if it has one. */
  final?: UnitView;
  newestMs: number;
  /** No final model and written to recently: its resume point is protected. */
  active: boolean;
}

/** The result of the rules for one state of the index, models, references and user tags. */
export class Classification {
  readonly units = new Map<string, UnitView>();
  readonly runs = new Map<string, RunView>();
  /** Entries protected themselves, each with its reasons. */
  readonly direct = new Map<string, string[]>();
  /** Folders above protected entries → those entries. */
  readonly contains = new Map<string, string[]>();
  /** Automatic tags beyond categories, per path. */
  readonly auto = new Map<string, Set<string>>();
  /** A part of a multi-file checkpoint → the checkpoint's path. */
  readonly partOf = new Map<string, string>();
  /** Index ids of every checkpoint and part, found once per run folder (a lookup per path is slow at 200,000). */
  readonly ids = new Map<string, number>();
  private readonly dirCats = new Map<string, Category[]>();

  constructor(
    readonly ix: TreeIndex,
    private readonly matcher: CategoryMatcher,
  ) {}

  /** Categories of an entry: its own name's, then every matched folder above it, outermost first. */
  categoriesOf(path: string, isDir: boolean): Category[] {
    const i = path.lastIndexOf('/');
    const name = path.slice(i + 1);
    const above = path === '' ? [] : this.folderCategories(i < 0 ? '' : path.slice(0, i));
    const own = isDir ? this.matcher.match(name, true) : isModelFileName(name) ? this.matcher.match(name, false) : undefined;
    if (own === undefined || above.includes(own.category)) return above;
    return [...above, own.category];
  }

  /** The index id of a path (cached for checkpoints and their parts). */
  idOf(path: string): number {
    return this.ids.get(path) ?? this.ix.lookup(path);
  }

  /** Every reason the entry is protected (empty: not protected). */
  reasons(path: string): string[] {
    const out = [...(this.direct.get(path) ?? [])];
    for (let p = path; p !== ''; ) {
      p = parentOf(p);
      const above = this.direct.get(p);
      if (above) for (const r of above) out.push(`inside ${p || 'the root'} (${r})`);
    }
    const below = this.contains.get(path);
    if (below) {
      for (const b of below.slice(0, CONTAINS_SHOWN)) out.push(`contains ${b}`);
      if (below.length > CONTAINS_SHOWN) out.push(`and ${below.length - CONTAINS_SHOWN} more protected entries inside`);
    }
    return out;
  }

  isProtected(path: string): boolean {
    return this.contains.has(path) || this.isCovered(path);
  }

  /** Protected itself or inside a protected folder: deleting it deletes something protected. */
  isCovered(path: string): boolean {
    for (let p = path; ; p = parentOf(p)) {
      if (this.direct.has(p)) return true;
      if (p === '') return false;
    }
  }

  addAuto(path: string, tag: string): void {
    let s = this.auto.get(path);
    if (!s) this.auto.set(path, (s = new Set()));
    s.add(tag);
  }

  protect(path: string, reason: string): void {
    const list = this.direct.get(path);
    if (!list) this.direct.set(path, [reason]);
    else if (!list.includes(reason)) list.push(reason);
  }

  private folderCategories(dir: string): Category[] {
    const hit = this.dirCats.get(dir);
    if (hit) return hit;
    const i = dir.lastIndexOf('/');
    const above = dir === '' ? [] : this.folderCategories(i < 0 ? '' : dir.slice(0, i));
    const own = dir === '' ? undefined : this.matcher.match(dir.slice(i + 1), true);
    const cats = own === undefined || above.includes(own.category) ? above : [...above, own.category];
    this.dirCats.set(dir, cats);
    return cats;
  }
}

/** Applies every rule; see PRODUCT.md "Categories" and "Protection". */
export function classify(input: ClassifyInput): Classification {
  const { ix } = input;
  const cls = new Classification(ix, input.categories);
  const exists = (p: string) => ix.lookup(p) >= 0;

  for (const f of input.units) {
    const name = f.ref.path.slice(f.ref.path.lastIndexOf('/') + 1);
    const ownName = f.ref.kind === 'shards' ? f.ref.parts[0] : name;
    const view: UnitView = { ...f, own: input.categories.match(ownName, f.ref.kind === 'folder') };
    cls.units.set(f.ref.path, view);
    for (const part of f.ref.parts) {
      const p = f.ref.run === '' ? part : `${f.ref.run}/${part}`;
      if (p !== f.ref.path) cls.partOf.set(p, f.ref.path);
    }
    let run = cls.runs.get(f.ref.run);
    if (!run) cls.runs.set(f.ref.run, (run = { path: f.ref.run, units: [], newestMs: 0, active: false }));
    run.units.push(view);
    run.newestMs = Math.max(run.newestMs, f.ref.mtimeMs);
    if (view.own?.category === 'final') run.final ??= view;
  }

  for (const run of cls.runs.values()) {
    const runId = ix.lookup(run.path);
    if (runId < 0) continue;
    const prefix = run.path === '' ? '' : `${run.path}/`;
    for (const ch of ix.childrenOf(runId)) cls.ids.set(prefix + ix.nameOf(ch), ch);
  }

  // References: any mention tags `referenced`; a pin source's protects the target (a shard set as a whole).
  const referenced = new Set<string>();
  for (const target of input.refs.targets()) {
    const live = input.refs.refsTo(target).filter((r) => !r.missing);
    if (live.length === 0 || !exists(target)) continue;
    const unit = cls.partOf.get(target) ?? target;
    const paths = unitPaths(cls, unit, target);
    for (const p of paths) {
      referenced.add(p);
      cls.addAuto(p, 'referenced');
    }
    for (const r of live) {
      if (!r.protects) continue;
      for (const p of paths) {
        cls.addAuto(p, 'critical');
        cls.protect(p, `${r.file}:${r.line}`);
      }
    }
  }

  for (const [path, tags] of input.userTags) {
    if (!exists(path)) continue;
    for (const t of ['critical', 'historical']) if (tags.has(t)) cls.protect(path, `tag ${t}`);
  }

  for (const run of cls.runs.values()) {
    if (run.path === '') continue;
    const newest = Math.max(run.newestMs, newestFileIn(ix, run.path));
    run.active = run.final === undefined && newest >= input.now - RESUME_WINDOW_MS;
    if (!run.active) continue;
    for (const p of resumePoints(run, input.readSmall)) {
      for (const q of unitPaths(cls, p, p)) {
        cls.addAuto(q, 'resume');
        cls.protect(q, `resume point of ${run.path}`);
      }
    }
  }

  // A model file lying at the root that nothing mentions is a stray (the seed's debug `final_model.pt`);
  // `best*` files there were kept on purpose in the seed, so they stay out of `debug`.
  for (const u of cls.runs.get('')?.units ?? []) {
    if (u.ref.kind !== 'folder' && u.own?.category !== 'best' && !referenced.has(u.ref.path)) cls.addAuto(u.ref.path, 'debug');
  }

  for (const [path, twins] of input.duplicates ?? []) if (twins.length > 0 && exists(path)) cls.addAuto(path, 'duplicate');

  for (const path of cls.direct.keys()) {
    for (let p = path; p !== ''; ) {
      p = parentOf(p);
      let list = cls.contains.get(p);
      if (!list) cls.contains.set(p, (list = []));
      list.push(path);
    }
  }
  return cls;
}

/** A checkpoint's own path and every file it is made of. */
function unitPaths(cls: Classification, unitPath: string, fallback: string): string[] {
  const u = cls.units.get(unitPath);
  if (!u) return [fallback];
  const out = [u.ref.path];
  for (const part of u.ref.parts) {
    const p = u.ref.run === '' ? part : `${u.ref.run}/${part}`;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** PRODUCT.md: the newest checkpoint, DeepSpeed's `latest`, HF's best model, Lightning's `last.ckpt`. */
function resumePoints(run: RunView, readSmall: ClassifyInput['readSmall']): string[] {
  const out = new Set<string>();
  const join = (name: string) => `${run.path}/${name}`;
  const byPath = new Map(run.units.map((u) => [u.ref.path, u]));
  const newest = [...run.units].sort((a, b) => b.ref.mtimeMs - a.ref.mtimeMs || (b.own?.n ?? 0) - (a.own?.n ?? 0))[0];
  if (newest) out.add(newest.ref.path);
  if (byPath.has(join('last.ckpt'))) out.add(join('last.ckpt'));
  const latest = readSmall?.(join('latest'))?.trim();
  if (latest && !latest.includes('/') && byPath.has(join(latest))) out.add(join(latest));
  for (const u of run.units) {
    const best = u.info?.trainer?.bestModelCheckpoint;
    if (!best) continue;
    const name = best.replace(/\/+$/, '').slice(best.replace(/\/+$/, '').lastIndexOf('/') + 1);
    if (byPath.has(join(name))) out.add(join(name));
  }
  return [...out];
}

/** The newest mtime of the files directly in a folder (logs count: a run writing logs is alive). */
function newestFileIn(ix: TreeIndex, dir: string): number {
  const id = ix.lookup(dir);
  let newest = 0;
  if (id < 0) return newest;
  for (const ch of ix.childrenOf(id)) if (ix.kind(ch) !== KIND_DIR) newest = Math.max(newest, ix.c.mtimeMs[ch]);
  return newest;
}
