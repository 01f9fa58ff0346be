// The cleanup plan (PRODUCT.md "4. Cleanup plan"): what a policy proposes to
// delete, each item with its category, reason, rule and warnings. Pure over
// the index and the classification; items are disjoint (a folder item wins
// over items inside it) and their sum is exactly before − after.
import { naturalCompare } from '../../shared/natural-sort.js';
import type { Plan, PlanItem } from '../../shared/schemas/api.js';
import type { Category } from '../../shared/tag-rules.js';
import { parentOf } from '../models-service/units.js';
import { KIND_DIR } from '../scan/batch.js';
import { ROOT } from '../scan/tree-structure.js';
import { etagOf } from '../scan/entry-view.js';
import type { Classification, ReferenceSource, UnitView } from '../tags/classify.js';
import { applyRetention, type Retained, type Retention } from './retention.js';

/** One of the three policies. */
export type Policy = Plan['policy'];

/** Something a rule would have proposed but kept out, and why. */
export interface KeptOut {
  path: string;
  category: string;
  rule: string;
  bytes: number;
}

export interface PlanInput {
  cls: Classification;
  refs: ReferenceSource;
  policy: Policy;
  retention: Retention;
  now: number;
}

/** Categories each policy deletes as whole folders (besides intermediates). */
const FOLDER_CATEGORIES: Record<Policy, readonly Category[]> = {
  conservative: ['debug'],
  moderate: ['debug', 'experiment', 'ablation'],
  aggressive: ['debug', 'experiment', 'ablation'],
};
const ORDER = ['intermediate', 'debug', 'experiment', 'ablation', 'final', 'best', 'other'];
const FOLDER_REASON: Partial<Record<Category, string>> = {
  debug: 'debug run folder',
  experiment: 'reproduction experiment folder',
  ablation: 'ablation folder',
};
const RECENT_MS = 3_600_000;
const WARNINGS_SHOWN = 5;

interface Candidate {
  path: string;
  /** The index id, once looked up. */
  id?: number;
  category: string;
  /** The reason, or what an intermediate's reason is made of: the text is built only for items shown. */
  reason: string | { n: number | undefined; run: string; finalName: string | undefined };
  rule: string;
}

function reasonText(c: Candidate): string {
  if (typeof c.reason === 'string') return c.reason;
  const { n, run, finalName } = c.reason;
  const what = `intermediate checkpoint${n === undefined ? '' : ` ${n}`} of ${run}`;
  return finalName ? `${what}, which has ${finalName}` : `${what}, a run without a final model (its newest is kept)`;
}

/** The plan of one policy. */
export function buildPlan(input: PlanInput): Plan & { kept: KeptOut[] } {
  const { cls, policy, now } = input;
  const ix = cls.ix;
  const { items, kept } = selectItems(input);
  const out = [...items.values()].map((c) => toItem(cls, c, now));
  addReferenceWarnings(out, input.refs);
  out.sort((a, b) => rank(a.category) - rank(b.category) || naturalCompare(a.path, b.path));
  const totals = { count: out.length, bytes: 0, diskBytes: 0 };
  for (const it of out) {
    totals.bytes += it.bytes;
    totals.diskBytes += it.diskBytes;
  }
  const before = { bytes: ix.c.bytes[ROOT], diskBytes: ix.c.disk[ROOT] };
  return {
    policy,
    items: out,
    totals,
    before,
    after: { bytes: before.bytes - totals.bytes, diskBytes: before.diskBytes - totals.diskBytes },
    kept: [...kept.values()].sort((a, b) => naturalCompare(a.path, b.path)),
  };
}

/**
 * The paths a policy's plan would delete, without building its items (etags,
 * warnings, order): what the `optional` tag needs after every change.
 */
export function plannedPaths(input: PlanInput): IterableIterator<string> {
  return selectItems(input).items.keys();
}

/** Which entries a policy deletes (disjoint, outermost first) and what its rules kept out. */
function selectItems(input: PlanInput): { items: Map<string, Candidate>; kept: Map<string, KeptOut> } {
  const { cls, policy } = input;
  const ix = cls.ix;
  const candidates: Candidate[] = [];
  // Entries no item may include: being written, or kept by retention.
  const blockers = new Map<string, string>();
  for (const u of cls.units.values()) if (u.tags.includes('writing')) for (const p of partsOf(u)) blockers.set(p, 'being written');

  const wholeFolder = new Set<Category>(FOLDER_CATEGORIES[policy]);
  const intermediateRule = `${policy}: intermediate checkpoints${policy === 'aggressive' ? '' : ' of runs with a final model'}${retentionText(input.retention)}`;
  const retained: Retained[] = [];
  for (const run of cls.runs.values()) {
    if (run.path === '') continue;
    // Inside a folder that goes as a whole, the folder's rule decides, not retention.
    if (cls.categoriesOf(run.path, true).some((c) => wholeFolder.has(c))) continue;
    if (policy !== 'aggressive' && run.final === undefined) continue;
    const { keep, drop } = applyRetention(run, input.retention);
    for (const k of keep) for (const p of partsOf(k.unit)) blockers.set(p, k.rule);
    retained.push(...keep);
    const finalName = run.final ? run.final.ref.path.slice(run.path.length + 1) : undefined;
    for (const u of drop) {
      const reason = { n: u.own?.n, run: run.path, finalName };
      for (const p of partsOf(u)) candidates.push({ path: p, category: 'intermediate', reason, rule: intermediateRule });
    }
  }

  for (const { path, category } of outermostFolders(cls, wholeFolder)) {
    candidates.push({ path, category, reason: FOLDER_REASON[category] ?? category, rule: `${policy}: ${category} folders` });
  }
  for (const u of cls.runs.get('')?.units ?? []) {
    if (cls.auto.get(u.ref.path)?.has('debug')) {
      candidates.push({ path: u.ref.path, category: 'debug', reason: 'model file at the root that nothing references', rule: `${policy}: stray models at the root` });
    }
  }
  if (policy === 'aggressive') {
    for (const id of ix.childrenOf(ROOT)) {
      const name = ix.nameOf(id);
      const category = cls.categoriesOf(name, ix.kind(id) === KIND_DIR)[0] ?? 'other';
      candidates.push({ path: name, category, reason: 'not protected', rule: 'aggressive: everything not protected' });
    }
  }

  const blockerDirs = new Set<string>();
  for (const p of blockers.keys()) for (let q = p; q !== ''; ) blockerDirs.add((q = parentOf(q)));

  const items = new Map<string, Candidate>();
  const handled = new Set<string>();
  const kept = new Map<string, KeptOut>();
  const keepOut = (path: string, category: string, rule: string) => {
    if (!kept.has(path)) kept.set(path, { path, category, rule, bytes: bytesOf(cls, path) });
  };
  const underHandled = (path: string) => {
    for (let p = path; ; p = parentOf(p)) {
      if (handled.has(p)) return true;
      if (p === '') return false;
    }
  };
  const split = (dir: string, c: Candidate) => {
    handled.add(dir);
    const id = ix.lookup(dir);
    for (const ch of ix.childrenOf(id)) {
      const p = `${dir}/${ix.nameOf(ch)}`;
      if (cls.direct.has(p)) keepOut(p, c.category, `protected: ${cls.direct.get(p)![0]}`);
      else if (blockers.has(p)) keepOut(p, c.category, blockers.get(p)!);
      else if (ix.kind(ch) === KIND_DIR && (cls.contains.has(p) || blockerDirs.has(p))) split(p, c);
      else {
        items.set(p, { ...c, path: p, id: ch, reason: `${reasonText(c)} ${c.path}, without the protected entries it holds` });
        handled.add(p);
      }
    }
  };

  for (const k of retained) keepOut(k.unit.ref.path, 'intermediate', k.rule);
  // Outer paths first so a folder item is taken before anything inside it; the order within a depth does not matter.
  const byDepth = candidates.map((c) => ({ c, d: depth(c.path) }));
  byDepth.sort((a, b) => a.d - b.d);
  for (const { c } of byDepth) {
    if (underHandled(c.path)) continue;
    c.id = cls.idOf(c.path);
    if (c.id < 0) continue;
    if (cls.isCovered(c.path)) {
      keepOut(c.path, c.category, `protected: ${cls.reasons(c.path)[0]}`);
      continue;
    }
    if (blockers.has(c.path)) {
      keepOut(c.path, c.category, blockers.get(c.path)!);
      continue;
    }
    if (cls.contains.has(c.path) || blockerDirs.has(c.path)) {
      split(c.path, { ...c, reason: `inside ${reasonText(c)}` });
      continue;
    }
    items.set(c.path, c);
    handled.add(c.path);
  }
  return { items, kept };
}

function partsOf(u: UnitView): string[] {
  if (u.ref.kind !== 'shards') return [u.ref.path];
  const run = u.ref.run;
  return u.ref.parts.map((n) => (run === '' ? n : `${run}/${n}`));
}

function retentionText(r: Retention): string {
  const parts: string[] = [];
  if (r.keepLast > 0) parts.push(`keep last ${r.keepLast}`);
  if (r.keepBest > 0) parts.push(`keep best ${r.keepBest}${r.metric ? ` by ${r.metric}` : ''}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** The outermost folders whose own name puts them in one of `cats`. */
function outermostFolders(cls: Classification, cats: ReadonlySet<Category>): { path: string; category: Category }[] {
  const ix = cls.ix;
  const out: { path: string; category: Category }[] = [];
  const stack: Array<[number, string]> = [[ROOT, '']];
  while (stack.length > 0) {
    const [id, path] = stack.pop()!;
    for (const ch of ix.childrenOf(id)) {
      if (ix.kind(ch) !== KIND_DIR) continue;
      const p = path === '' ? ix.nameOf(ch) : `${path}/${ix.nameOf(ch)}`;
      const own = cls.categoriesOf(p, true).find((c) => cats.has(c));
      if (own !== undefined) out.push({ path: p, category: own });
      else stack.push([ch, p]);
    }
  }
  return out;
}

function toItem(cls: Classification, c: Candidate, now: number): PlanItem {
  const ix = cls.ix;
  const id = c.id ?? ix.lookup(c.path);
  const kinds = ['file', 'dir', 'symlink', 'other'];
  const warnings: string[] = [];
  const nlink = ix.c.nlink[id];
  if (ix.kind(id) !== KIND_DIR && nlink > 1) warnings.push(`hard-linked (${nlink} links): deleting this path frees no space while the other links remain`);
  const age = now - ix.c.mtimeMs[id];
  if (age < RECENT_MS) warnings.push(`written ${Math.max(0, Math.round(age / 60_000))} min ago`);
  const item: PlanItem = {
    path: c.path,
    kind: kinds[ix.kind(id)],
    etag: etagOf(ix, id),
    category: c.category,
    reason: reasonText(c),
    bytes: ix.c.bytes[id],
    diskBytes: ix.c.disk[id],
    files: ix.c.files[id],
    warnings,
  };
  if (c.rule) item.rule = c.rule;
  return item;
}

/** A text source that mentions something inside an item makes that item warn (it will go stale). */
function addReferenceWarnings(items: PlanItem[], refs: ReferenceSource): void {
  const byPath = new Map(items.map((it) => [it.path, it]));
  const extra = new Map<PlanItem, number>();
  for (const target of refs.targets()) {
    let item: PlanItem | undefined;
    for (let p = target; ; p = parentOf(p)) {
      item = byPath.get(p);
      if (item || p === '') break;
    }
    if (!item) continue;
    for (const r of refs.refsTo(target)) {
      if (r.missing) continue;
      const shown = item.warnings.filter((w) => w.startsWith('referenced by')).length;
      if (shown < WARNINGS_SHOWN) item.warnings.push(`referenced by ${r.file}:${r.line}${r.protects ? '' : ' (a script: it will point at nothing)'}`);
      else extra.set(item, (extra.get(item) ?? 0) + 1);
    }
  }
  for (const [item, n] of extra) item.warnings.push(`and ${n} more references`);
}

function bytesOf(cls: Classification, path: string): number {
  const id = cls.idOf(path);
  return id < 0 ? 0 : cls.ix.c.bytes[id];
}

function depth(p: string): number {
  if (p === '') return 0;
  let n = 1;
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) n++;
  return n;
}
const rank = (c: string) => {
  const i = ORDER.indexOf(c);
  return i < 0 ? ORDER.length : i;
};
