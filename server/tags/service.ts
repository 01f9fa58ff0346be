// Tags, protection and plans for the routes and the tree: one snapshot of the
// rules per state of the index, the models, the references, the user tags and
// the config, rebuilt on the first request after any of them changes.
import type { Checkpoint, Entry, Reference } from '../../shared/schemas/entry.js';
import type { Plan } from '../../shared/schemas/api.js';
import { compileCategories, type CategoryMatcher } from '../../shared/tag-rules.js';
import { buildPlan, plannedPaths, type KeptOut, type Policy } from '../cleanup/planner.js';
import { DEFAULT_RETENTION, type Retention } from '../cleanup/retention.js';
import { addPermissionWarnings } from '../cleanup/permission-warnings.js';
import type { RootFs } from '../fs/root-fs.js';
import type { ModelService } from '../models-service/service.js';
import { parentOf } from '../models-service/units.js';
import { ApiError } from '../errors.js';
import { KIND_DIR, KIND_FILE } from '../scan/batch.js';
import { etagOf } from '../scan/entry-view.js';
import type { TreeIndex } from '../scan/tree-index.js';
import { classify, type Classification, type ReferenceSource } from './classify.js';
import { applyTagEdit, type TagEdit } from './edit.js';
import { tagTotalsOf } from './totals.js';
import type { UserTags } from './user-tags.js';

/** References with a version that bumps when any source file is read again. */
export interface VersionedReferences extends ReferenceSource {
  readonly version: number;
}

const NO_REFS: VersionedReferences = { version: 0, targets: () => [], refsTo: () => [] };

/** A mention of a path that does not exist (any more). */
export interface StaleMention {
  file: string;
  line: number;
  key?: string;
  target: string;
  protects: boolean;
}
/** DeepSpeed's `latest` names a folder: a few bytes. */
const LATEST_MAX = 4096;
/** Resume points depend on the clock (24 h window): the rules are redone at least this often. */
const CLOCK_STEP_MS = 60_000;
/** How old, in the models alone, a snapshot may be while the models service reads a backlog. */
const MODELS_STALE_MS = 2_000;
/**
 * What is shown (tree rows, events, checkpoint lists) may lag the files by this much when redoing
 * every rule is slow (a tree of 200,000 checkpoints takes a second or more): a new file is
 * announced at once and its tags follow when the rules are redone, soon after the changes pause.
 * Deletions, plans and tag edits always use rules as of now.
 */
const VIEW_STALE_MS = 3_000;
/** Redoing the rules faster than this is not worth showing stale tags for. */
const SLOW_BUILD_MS = 100;
/** How long after the last request for stale tags the rules are redone (changes often come in bursts). */
const VIEW_REBUILD_DELAY_MS = 250;
/** Entries re-announced once the rules are redone; past this the next changes re-announce the rest. */
const STALE_SHOWN_MAX = 10_000;

export interface TagServiceOptions {
  index: () => TreeIndex | null;
  indexVersion: () => number;
  /** Re-announces entries whose tags or protection changed (the scanner's `touch`). */
  touch?: (paths: Iterable<string>) => void;
  models: Pick<ModelService, 'facts' | 'version' | 'busy'>;
  userTags: UserTags;
  /** Called after user tags change (the follower notes the tagged entries' identities). */
  onUserTags?: () => void;
  rootFs?: RootFs;
  now?: () => number;
  /** See SLOW_BUILD_MS. */
  slowBuildMs?: number;
}

/** What the rules decided for one state of their inputs. */
export interface TagSnapshot {
  key: string;
  /** The inputs a view may never be stale in: references, user tags, config, duplicates. */
  strictKey: string;
  /** The models service's version it was built from. */
  models: number;
  builtAt: number;
  cls: Classification;
  /** Models neither `conservative` nor `moderate` would delete and nothing protects. */
  optional: Set<string>;
  plans: Map<string, Plan & { kept: KeptOut[] }>;
  totals?: Record<string, { count: number; bytes: number }>;
}

export class TagService {
  private refs: VersionedReferences = NO_REFS;
  private matcher: CategoryMatcher = compileCategories();
  private retention: Retention = DEFAULT_RETENTION;
  private configVersion = 0;
  /** Bumps when another reference source is set (its own version may equal the last one's). */
  private refsSet = 0;
  private dups: ReadonlyMap<string, { twins: readonly string[]; etag: string }> = new Map();
  private dupsVersion = 0;
  private snap: TagSnapshot | null = null;
  /** How long the last full redo of the rules took. */
  private lastBuildMs = 0;
  /** Entries shown with tags of an older state, re-announced once the rules are redone. */
  private readonly staleShown = new Set<string>();
  private rebuildTimer: NodeJS.Timeout | undefined;
  private readonly permissionsChecked = new WeakSet<object>();
  private readonly now: () => number;

  constructor(private readonly o: TagServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  setReferences(refs: VersionedReferences): void {
    this.refs = refs;
    this.refsSet++;
  }

  /** The config's categories and retention defaults (from `ckptdash.config.json`). */
  setRules(categories: Parameters<typeof compileCategories>[0], retention: Partial<Retention> | undefined): void {
    this.matcher = compileCategories(categories);
    this.retention = { ...DEFAULT_RETENTION, ...retention };
    this.configVersion++;
  }

  /**
   * Takes a duplicates job's result for the subtree it covered (`prefix`, "" for all): it replaces
   * what an earlier run said about that subtree only.
   */
  setDuplicates(prefix: string, twinsOf: ReadonlyMap<string, { twins: readonly string[]; etag: string }>): void {
    const next = new Map([...this.dups].filter(([p]) => !(prefix === '' || p === prefix || p.startsWith(`${prefix}/`))));
    for (const [p, v] of twinsOf) if (v.twins.length > 0) next.set(p, v);
    this.dups = next;
    this.dupsVersion++;
  }

  /** Twins of a file whose content has not changed since the duplicates job hashed it. */
  twinsOf(path: string): string[] {
    const ix = this.o.index();
    const d = this.dups.get(path);
    if (!ix || !d) return [];
    const unchanged = (p: string, etag: string | undefined) => {
      const id = ix.lookup(p);
      return id >= 0 && etagOf(ix, id) === etag;
    };
    if (!unchanged(path, d.etag)) return [];
    return d.twins.filter((t) => unchanged(t, this.dups.get(t)?.etag));
  }

  /**
   * The current snapshot; null before the first scan is ready. While the models service works
   * through a backlog (the first read of every checkpoint), a snapshot up to MODELS_STALE_MS old
   * in the models alone is reused: redoing every rule after each of 100,000 reads would starve the
   * server. Everything else (index, user tags, references, config) is always current.
   */
  snapshot(): TagSnapshot | null {
    const ix = this.o.index();
    if (ix === null) return null;
    const now = this.now();
    const strictKey = this.strictKey();
    const key = `${this.o.indexVersion()}:${Math.floor(now / CLOCK_STEP_MS)}:${strictKey}`;
    const models = this.o.models.version;
    const s0 = this.snap;
    if (s0 && this.isCurrent(s0, key, ix)) return s0;
    const t0 = performance.now();
    const cls = classify({
      ix,
      units: this.o.models.facts(),
      refs: this.refs,
      userTags: this.o.userTags.all(),
      categories: this.matcher,
      now,
      readSmall: (p) => this.readSmall(ix, p),
      duplicates: new Map([...this.dups.keys()].map((p) => [p, this.twinsOf(p)])),
    });
    const snap: TagSnapshot = { key, strictKey, models, builtAt: Date.now(), cls, optional: new Set(), plans: new Map() };
    this.snap = snap;
    const removable = new Set<string>();
    // Only which paths the two plans take: their items are built when someone asks for a plan.
    for (const policy of ['conservative', 'moderate'] as const) {
      for (const p of plannedPaths({ cls, refs: this.refs, policy, retention: this.retention, now })) removable.add(p);
    }
    for (const u of cls.units.keys()) {
      if (cls.isProtected(u) || underAny(u, removable)) continue;
      snap.optional.add(u);
    }
    this.lastBuildMs = performance.now() - t0;
    return snap;
  }

  /** Whether `s` may stand for the inputs as they are now (it was built for `key`, or only the models moved on during a backlog). */
  private isCurrent(s: TagSnapshot, key: string, ix: TreeIndex): boolean {
    if (s.key !== key || s.cls.ix !== ix) return false;
    return s.models === this.o.models.version || (this.o.models.busy && Date.now() - s.builtAt < MODELS_STALE_MS);
  }

  private strictKey(): string {
    return `${this.refsSet}:${this.refs.version}:${this.o.userTags.version}:${this.configVersion}:${this.dupsVersion}`;
  }

  /**
   * The snapshot for what is shown about `path`: the current one, or, when redoing every rule is
   * slow and only the files or models changed since, the last one (at most VIEW_STALE_MS old). The
   * rules are then redone shortly after and `path` is announced again with its current tags.
   */
  private viewSnapshot(path?: string): TagSnapshot | null {
    const s0 = this.snap;
    const ix = this.o.index();
    if (
      s0 === null ||
      ix === null ||
      s0.cls.ix !== ix ||
      this.lastBuildMs < (this.o.slowBuildMs ?? SLOW_BUILD_MS) ||
      Date.now() - s0.builtAt >= VIEW_STALE_MS ||
      s0.strictKey !== this.strictKey()
    ) {
      return this.snapshot();
    }
    if (this.isCurrent(s0, `${this.o.indexVersion()}:${Math.floor(this.now() / CLOCK_STEP_MS)}:${s0.strictKey}`, ix)) return s0;
    if (path !== undefined && this.staleShown.size < STALE_SHOWN_MAX) this.staleShown.add(path);
    this.scheduleRebuild();
    return s0;
  }

  private scheduleRebuild(): void {
    clearTimeout(this.rebuildTimer);
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = undefined;
      const shown = [...this.staleShown];
      this.staleShown.clear();
      // Redone once here, off any request; the re-announcement below then finds it current.
      this.snapshot();
      if (shown.length > 0) this.o.touch?.(shown);
    }, VIEW_REBUILD_DELAY_MS);
    this.rebuildTimer.unref();
  }

  /** Stops the deferred redo of the rules (the server is closing). */
  close(): void {
    clearTimeout(this.rebuildTimer);
    this.rebuildTimer = undefined;
  }

  /** Every tag of an entry but the index's own (`hardlink`): the scanner's tag provider. */
  tagsOf = (path: string, isDir: boolean): readonly string[] => {
    const s = this.viewSnapshot(path);
    if (s === null) return this.o.userTags.tagsOf(path);
    const out: string[] = [...(s.cls.units.get(path)?.tags ?? [])];
    const add = (t: string) => {
      if (!out.includes(t)) out.push(t);
    };
    for (const c of s.cls.categoriesOf(path, isDir)) add(c);
    for (const t of s.cls.auto.get(path) ?? []) add(t);
    if (s.optional.has(path)) add('optional');
    for (const t of this.o.userTags.tagsOf(path)) add(t);
    return out;
  };

  /** User tags, note and protection of an entry as listed. */
  annotate = (e: Entry): void => {
    e.userTags = this.o.userTags.tagsOf(e.path);
    const note = this.o.userTags.noteOf(e.path);
    if (note !== undefined) e.note = note;
    e.protected = this.viewSnapshot(e.path)?.cls.isProtected(e.path) ?? false;
  };

  userTagsOf(path: string): string[] {
    return this.o.userTags.tagsOf(path);
  }

  noteOf(path: string): string | undefined {
    return this.o.userTags.noteOf(path);
  }

  protectedBy(path: string): string[] {
    return this.viewSnapshot(path)?.cls.reasons(path) ?? [];
  }

  /** References to an entry, or to any file of the checkpoint it stands for. */
  referencesTo(path: string): Reference[] {
    const s = this.viewSnapshot(path);
    const u = s?.cls.units.get(path);
    const paths = [path];
    if (u && u.ref.kind === 'shards') for (const part of u.ref.parts) paths.push(u.ref.run === '' ? part : `${u.ref.run}/${part}`);
    const out: Reference[] = [];
    for (const p of new Set(paths)) out.push(...this.refs.refsTo(p));
    return out;
  }

  /** A checkpoint with its tags, protection and references filled in. */
  decorateCheckpoint(cp: Checkpoint): Checkpoint {
    const s = this.viewSnapshot(cp.path);
    const isDir = s?.cls.units.get(cp.path)?.ref.kind === 'folder';
    return { ...cp, tags: [...this.tagsOf(cp.path, isDir)], protected: s?.cls.isProtected(cp.path) ?? false, references: this.referencesTo(cp.path) };
  }

  /** Mentions of checkpoint paths that are not in the index (deleted, moved, or never there). */
  staleReferences(): StaleMention[] {
    const ix = this.o.index();
    const out: StaleMention[] = [];
    for (const target of this.refs.targets()) {
      for (const r of this.refs.refsTo(target)) {
        if (!r.missing && ix !== null && ix.lookup(target) >= 0) continue;
        out.push({ file: r.file, line: r.line, ...(r.key !== undefined ? { key: r.key } : {}), target, protects: r.protects });
      }
    }
    return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  }

  /** The plan of a policy with the given retention (the config's when absent); cached per snapshot. */
  plan(policy: Policy, retention?: Partial<Retention>): (Plan & { kept: KeptOut[]; retention: Retention }) | null {
    const s = this.snapshot();
    if (s === null) return null;
    const r = { ...this.retention, ...retention };
    const p = this.planOf(s, policy, r);
    // Only plans someone looks at pay for the on-disk check (not the ones `optional` is computed from).
    if (this.o.rootFs && !this.permissionsChecked.has(p)) {
      addPermissionWarnings(p.items, this.o.rootFs);
      this.permissionsChecked.add(p);
    }
    return { ...p, retention: r };
  }

  /** Applies a tag edit (see edit.ts); throws ApiError 400/404 before changing anything. */
  edit(e: TagEdit): void {
    const ix = this.o.index();
    if (ix === null) throw new ApiError(503, 'SCANNING', 'the first scan is still running');
    applyTagEdit(this.o.userTags, {
      exists: (p) => ix.lookup(p) >= 0,
      children: (p) => {
        const id = ix.lookup(p);
        return id < 0 || ix.kind(id) !== KIND_DIR ? [] : ix.childrenOf(id).map((ch) => (p === '' ? ix.nameOf(ch) : `${p}/${ix.nameOf(ch)}`));
      },
      touch: (paths) => this.o.touch?.(paths),
    }, e);
    this.o.onUserTags?.();
  }

  /** Count and bytes per tag over the outermost entries carrying it. */
  tagTotals(): Record<string, { count: number; bytes: number }> {
    const s = this.viewSnapshot();
    if (s === null) return {};
    s.totals ??= tagTotalsOf(s, this.o.userTags.all());
    return s.totals;
  }

  private planOf(s: TagSnapshot, policy: Policy, retention: Retention): Plan & { kept: KeptOut[] } {
    const key = `${policy}:${JSON.stringify(retention)}`;
    let p = s.plans.get(key);
    if (!p) {
      p = buildPlan({ cls: s.cls, refs: this.refs, policy, retention, now: this.now() });
      s.plans.set(key, p);
    }
    return p;
  }

  private readSmall(ix: TreeIndex, path: string): string | undefined {
    const id = ix.lookup(path);
    if (id < 0 || ix.kind(id) !== KIND_FILE || ix.c.bytes[id] > LATEST_MAX || !this.o.rootFs) return undefined;
    try {
      return this.o.rootFs.readRange(path, 0, ix.c.bytes[id]).toString('utf8');
    } catch {
      // Gone or unreadable since the scan: no resume hint from it.
      return undefined;
    }
  }
}

function underAny(path: string, set: ReadonlySet<string>): boolean {
  for (let p = path; ; p = parentOf(p)) {
    if (set.has(p)) return true;
    if (p === '') return false;
  }
}
