// demo-manifest.json: the exact bytes the generator wrote, so tests and the
// dashboard can compare what they see with what is there.
import type { PlannedFile } from './demo-run.js';
import { CRITICAL, HISTORICAL } from './demo-plan.js';

/** Categories in the seed report's sense (not the dashboard's computed tags). */
export const DEMO_CATEGORIES = [
  'intermediate',
  'final',
  'best',
  'experiment',
  'ablation',
  'debug',
  'critical',
  'historical',
  'optional',
  'other',
] as const;
export type DemoCategory = (typeof DEMO_CATEGORIES)[number];

/** One file under checkpoints/. */
export interface DemoManifestEntry {
  /** POSIX path relative to checkpoints/. */
  path: string;
  /** Exact apparent size (st_size). */
  bytes: number;
  category: DemoCategory;
  mtimeMs: number;
}

/** The manifest the generator writes last, at the project top; its presence marks a complete demo. */
export interface DemoManifest {
  version: 1;
  /** ISO 8601 time of generation. */
  generatedAt: string;
  totals: {
    files: number;
    bytes: number;
    byCategory: Record<DemoCategory, { files: number; bytes: number }>;
  };
  entries: DemoManifestEntry[];
}

export const MANIFEST_NAME = 'demo-manifest.json';

const critical = new Set<string>(CRITICAL.map((m) => m.path));
const historical = new Set<string>(HISTORICAL.map((m) => m.path));

/** The seed report's category of a file under checkpoints/. */
export function categorize(path: string): DemoCategory {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (critical.has(path)) return 'critical';
  if (historical.has(path)) return 'historical';
  if (/^best_model_[^/]*\.pt$/.test(path) || path === 'session13/hierarchical/final_model.pt') return 'optional';
  if (path.startsWith('debug_runs/') || path === 'final_model.pt') return 'debug';
  if (/^session\d+\/exp\d+_/.test(path)) return 'ablation';
  if (/^repro[^/]*\//.test(path)) return 'experiment';
  if (/^checkpoint_epoch\d+\.pt$/.test(name)) return 'intermediate';
  if (/^final/.test(name)) return 'final';
  if (/^best/.test(name)) return 'best';
  return 'other';
}

/** Builds the manifest from what was written (path → exact size). */
export function buildManifest(files: PlannedFile[], sizes: Map<string, number>, generatedAt: Date): DemoManifest {
  const byCategory = Object.fromEntries(DEMO_CATEGORIES.map((c) => [c, { files: 0, bytes: 0 }])) as DemoManifest['totals']['byCategory'];
  const entries: DemoManifestEntry[] = files
    .map((f) => {
      const bytes = sizes.get(f.path);
      if (bytes === undefined) throw new Error(`no size recorded for ${f.path}`);
      return { path: f.path, bytes, category: categorize(f.path), mtimeMs: f.mtimeMs };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let bytes = 0;
  for (const e of entries) {
    bytes += e.bytes;
    byCategory[e.category].files++;
    byCategory[e.category].bytes += e.bytes;
  }
  return { version: 1, generatedAt: generatedAt.toISOString(), totals: { files: entries.length, bytes, byCategory }, entries };
}
