import type { QueryClient } from '@tanstack/react-query';
import type { Checkpoint, Entry, EntryDetails, Job, Summary, TreePage } from '../../shared/schemas/index.js';
import { keys, type TreeView } from './keys.js';

// Each server event becomes a small in-place edit of the cached data, so a
// training run writing checkpoints does not make the app refetch everything.

type ScanPatch = { state: Summary['scan']['state']; entries: number; bytes: number };

/** Returns true when the scan just finished: the caller refetches what the scan changed. */
export function applyScan(qc: QueryClient, scan: ScanPatch): boolean {
  const before = qc.getQueryData<Summary>(keys.summary);
  if (!before) return false;
  qc.setQueryData<Summary>(keys.summary, {
    ...before,
    scan: { ...before.scan, state: scan.state, entries: scan.entries, bytes: scan.bytes },
  });
  return before.scan.state === 'scanning' && scan.state === 'ready';
}

// An Entry leaves out an optional field that is unset: without this, a cleared note or a fixed error would linger.
const OPTIONAL_ENTRY_FIELDS = ['note', 'error', 'children', 'target'] as const;

function mergeEntry(old: EntryDetails, entry: Entry): EntryDetails {
  const kept = { ...old };
  for (const field of OPTIONAL_ENTRY_FIELDS) delete kept[field];
  return { ...kept, ...entry };
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Changed entries are replaced where they sit in cached pages (their rows keep
 * their place, so nothing jumps under the pointer). A folder that gained or
 * lost a child has its pages invalidated: offsets moved, and only the pages in
 * view are refetched.
 */
export function applyTree(qc: QueryClient, upserts: Entry[], removed: string[]): void {
  const changed = new Map(upserts.map((e) => [e.path, e]));
  const gone = new Set(removed);
  const seen = new Set<string>();
  const staleFolders = new Set(removed.map(parentOf));

  for (const query of qc.getQueryCache().findAll({ queryKey: keys.treeAll })) {
    const page = query.state.data as TreePage | undefined;
    if (!page) continue;
    let touched = false;
    const entries: Entry[] = [];
    for (const entry of page.entries) {
      if (gone.has(entry.path)) {
        touched = true;
        continue;
      }
      const next = changed.get(entry.path);
      if (next) {
        seen.add(entry.path);
        touched = true;
        entries.push(next);
      } else {
        entries.push(entry);
      }
    }
    if (touched) qc.setQueryData<TreePage>(query.queryKey, { ...page, entries });
  }

  for (const entry of upserts) {
    // The root is in no listing, so not finding it there says nothing new.
    if (!seen.has(entry.path) && entry.path !== '') staleFolders.add(parentOf(entry.path));
    // The details pane shows more than an Entry (references, protection): merge now, refetch for the rest.
    qc.setQueryData<EntryDetails>(keys.entry(entry.path), (old) => (old ? mergeEntry(old, entry) : old));
  }
  for (const folder of staleFolders) void qc.invalidateQueries({ queryKey: keys.treeFolder(folder), refetchType: 'none' });
  const touchedPaths = new Set([...changed.keys(), ...removed]);
  void qc.invalidateQueries({ queryKey: keys.entryAll, predicate: (q) => touchedPaths.has(q.queryKey[1] as string) });
}

export function applyJob(qc: QueryClient, job: Job): void {
  const before = qc.getQueryData<{ items: Job[] }>(keys.jobs);
  if (!before) {
    void qc.invalidateQueries({ queryKey: keys.jobs });
    return;
  }
  const index = before.items.findIndex((j) => j.id === job.id);
  const items = index < 0 ? [...before.items, job] : before.items.map((j, i) => (i === index ? job : j));
  qc.setQueryData(keys.jobs, { items });
}

/** The same path, a folder above it, or a path inside it. */
function related(a: string, b: string): boolean {
  return a === b || a === '' || b === '' || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * The answer of POST /api/tags, applied before the server's tree event arrives. Protection reaches the folders above
 * the entry and everything inside it, and a tag filter may gain or lose it: those pages are marked stale (the tree
 * refetches the ones in view), and so are the details of related entries, the Models list and the tag totals.
 * `removed` are the tags the request removed: the checkpoint list's copy drops them unless they are still set.
 */
export function applyTagged(qc: QueryClient, entry: Entry, removed: string[]): void {
  applyTree(qc, [entry], []);
  void qc.invalidateQueries({
    queryKey: keys.treeAll,
    refetchType: 'none',
    predicate: (q) => {
      const [, folder, view] = q.queryKey as readonly [string, string | undefined, TreeView | undefined];
      return (folder !== undefined && related(folder, entry.path)) || !!view?.tag;
    },
  });
  void qc.invalidateQueries({ queryKey: keys.entryAll, predicate: (q) => related(q.queryKey[1] as string, entry.path) });

  qc.setQueryData<{ items: Checkpoint[] }>(keys.checkpoints, (old) => {
    if (!old) return old;
    const gone = new Set(removed.filter((t) => !entry.tags.includes(t)));
    const items = old.items.map((c) => {
      if (c.path !== entry.path) return c;
      const tags = c.tags.filter((t) => !gone.has(t));
      for (const t of entry.tags) if (!tags.includes(t)) tags.push(t);
      return { ...c, tags, protected: entry.protected };
    });
    return { ...old, items };
  });
  void qc.invalidateQueries({ queryKey: keys.checkpoints });
  void qc.invalidateQueries({ queryKey: keys.summary });
}
