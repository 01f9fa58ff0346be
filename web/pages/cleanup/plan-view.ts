// Pure shaping of a Plan for the Cleanup page: category names as the seed
// report groups them, per-category sums, and the URL form of the page state.
import { naturalCompare } from '../../../shared/natural-sort.js';
import type { Plan, PlanItem, PlanKept, Policy } from '../../../shared/schemas/index.js';

export const POLICIES: readonly { value: Policy; label: string; description: string }[] = [
  {
    value: 'conservative',
    label: 'Conservative',
    description: 'Intermediate checkpoints of runs that have a final model, and debug runs.',
  },
  {
    value: 'moderate',
    label: 'Moderate',
    description: 'Conservative, plus reproduction experiments and ablations: the cleanup of the seed report.',
  },
  {
    value: 'aggressive',
    label: 'Aggressive',
    description: 'Everything that is not protected. Review every item before approving any of it.',
  },
];

export const DEFAULT_POLICY: Policy = 'moderate';

/** The planner's order, so groups read the way the seed report lists what it deleted. */
const CATEGORY_ORDER = ['intermediate', 'debug', 'experiment', 'ablation', 'final', 'best', 'other'];

const CATEGORY_LABELS: Record<string, string> = {
  intermediate: 'Intermediate checkpoints',
  debug: 'Debug runs',
  experiment: 'Reproduction experiments',
  ablation: 'Ablation experiments',
  final: 'Final models',
  best: 'Best models',
  other: 'Other',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category;
}

/** A colour slot for the category's swatch and bar segment (see CleanupPage.module.css). */
export function categorySlot(category: string): number {
  const i = CATEGORY_ORDER.indexOf(category);
  return i < 0 ? CATEGORY_ORDER.length : i;
}

/** The id of a group's list; its heading's id adds "-heading". Category names come from the config, so they are escaped. */
export function groupDomId(category: string): string {
  return `plan-group-${category.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export interface CategoryGroup {
  category: string;
  items: PlanItem[];
  bytes: number;
  diskBytes: number;
  files: number;
  warned: number;
  /** The rule every item shares, shown once above the list; undefined when they differ. */
  rule?: string;
}

/** The plan's items by category, in the planner's order (unknown categories last, by name). */
export function groupByCategory(items: readonly PlanItem[]): CategoryGroup[] {
  const groups = new Map<string, CategoryGroup>();
  for (const it of items) {
    let g = groups.get(it.category);
    if (!g) groups.set(it.category, (g = { category: it.category, items: [], bytes: 0, diskBytes: 0, files: 0, warned: 0, rule: it.rule }));
    g.items.push(it);
    g.bytes += it.bytes;
    g.diskBytes += it.diskBytes;
    g.files += it.files;
    if (it.warnings.length > 0) g.warned++;
    if (g.rule !== it.rule) g.rule = undefined;
  }
  return [...groups.values()].sort(
    (a, b) => categorySlot(a.category) - categorySlot(b.category) || a.category.localeCompare(b.category),
  );
}

export function sumFiles(plan: Plan): number {
  return plan.items.reduce((n, it) => n + it.files, 0);
}

/**
 * A share of the folder that does not round 99.6% up to "100%": a plan that frees everything
 * and one that leaves 600 MiB must not read the same.
 */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0)) return '—';
  const p = (part / whole) * 100;
  if (p > 0 && p < 1) return '<1%';
  if (p > 99 && p < 100) return `${Math.min(99.9, Math.floor(p * 10) / 10)}%`;
  return `${Math.round(p)}%`;
}

export interface FolderTotals {
  count: number;
  bytes: number;
}

/**
 * Items with each folder's items together (the top level first, then folders in natural order, items keeping
 * the plan's order), and every folder's count and bytes.
 */
export function byFolder(items: readonly PlanItem[]): { ordered: PlanItem[]; folders: Map<string, FolderTotals> } {
  const lists = new Map<string, PlanItem[]>();
  const folders = new Map<string, FolderTotals>();
  for (const it of items) {
    const { dir } = splitPath(it.path);
    const list = lists.get(dir);
    if (list) list.push(it);
    else lists.set(dir, [it]);
    const f = folders.get(dir) ?? { count: 0, bytes: 0 };
    f.count++;
    f.bytes += it.bytes;
    folders.set(dir, f);
  }
  const dirs = [...lists.keys()].sort(naturalCompare);
  return { ordered: dirs.flatMap((d) => lists.get(d)!), folders };
}

/** What kind of rule kept an entry out, for the summary line above the list. */
export type KeptKind = 'protected' | 'retention' | 'writing' | 'other';

export function keptKind(k: PlanKept): KeptKind {
  if (k.rule.startsWith('protected')) return 'protected';
  if (k.rule.startsWith('retention') || k.rule.startsWith('the newest checkpoint')) return 'retention';
  if (k.rule.includes('being written')) return 'writing';
  return 'other';
}

/** The folder part of a path, with its slash ("" at the root), and the last name. */
export function splitPath(path: string): { dir: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { dir: '', name: path } : { dir: path.slice(0, slash + 1), name: path.slice(slash + 1) };
}

/** Retention the user set on this page; an absent field means the project config's default. */
export interface RetentionOverrides {
  keepLast?: number;
  keepBest?: number;
  metric?: string;
  direction?: 'min' | 'max';
}

/** The editable form of the overrides: what is typed, valid or not. */
export interface RetentionDraft {
  keepLast: string;
  keepBest: string;
  metric: string;
  direction: '' | 'min' | 'max';
}

export const EMPTY_DRAFT: RetentionDraft = { keepLast: '', keepBest: '', metric: '', direction: '' };

/** The server's bound for keepLast and keepBest. */
export const MAX_KEEP = 100_000;

/** A count the server accepts, or undefined for an empty or invalid field. */
export function parseKeep(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n <= MAX_KEEP ? n : undefined;
}

export function isKeepInvalid(text: string): boolean {
  return text.trim() !== '' && parseKeep(text) === undefined;
}

export function overridesOf(d: RetentionDraft): RetentionOverrides {
  const o: RetentionOverrides = {};
  const last = parseKeep(d.keepLast);
  const best = parseKeep(d.keepBest);
  if (last !== undefined) o.keepLast = last;
  if (best !== undefined) o.keepBest = best;
  const metric = d.metric.trim();
  if (metric) o.metric = metric.slice(0, 200);
  if (d.direction) o.direction = d.direction;
  return o;
}

/** The overrides as URL query parameters, in a fixed order so equal overrides give equal strings. */
export function retentionSearch(o: RetentionOverrides): string {
  const p = new URLSearchParams();
  if (o.keepLast !== undefined) p.set('keepLast', String(o.keepLast));
  if (o.keepBest !== undefined) p.set('keepBest', String(o.keepBest));
  if (o.metric !== undefined) p.set('metric', o.metric);
  if (o.direction !== undefined) p.set('direction', o.direction);
  return p.toString();
}

/** The page state as a URL query. */
export function toSearch(policy: Policy, o: RetentionOverrides): string {
  const rest = retentionSearch(o);
  return `policy=${policy}${rest ? `&${rest}` : ''}`;
}

/** The page state read back from a URL query; anything unrecognised falls back to the defaults. */
export function fromSearch(search: string): { policy: Policy; draft: RetentionDraft } {
  const p = new URLSearchParams(search);
  const raw = p.get('policy');
  const policy = POLICIES.find((x) => x.value === raw)?.value ?? DEFAULT_POLICY;
  const direction = p.get('direction');
  const keep = (name: string) => {
    const v = p.get(name) ?? '';
    return parseKeep(v) === undefined ? '' : v;
  };
  return {
    policy,
    draft: {
      keepLast: keep('keepLast'),
      keepBest: keep('keepBest'),
      metric: p.get('metric') ?? '',
      direction: direction === 'min' || direction === 'max' ? direction : '',
    },
  };
}

/** The overrides back from `retentionSearch`. */
export function overridesFromSearch(search: string): RetentionOverrides {
  return overridesOf(fromSearch(search).draft);
}
