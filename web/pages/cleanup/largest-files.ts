// The largest files anywhere inside a folder, without walking all of it: a
// best-first search over /api/tree pages sorted by size. A folder is never
// smaller than a file inside it, and a page's unseen rest is never larger than
// its last row, so when a file is the biggest thing left on the frontier no
// unopened folder or unread page can hold a bigger one.
import type { Entry, TreePage } from '../../../shared/schemas/index.js';
import { api } from '../../api/client.js';

/** Children read per request. */
const PAGE = 20;
/** Requests one search may make; a deep tree of near-equal folders stops here and says so. */
const MAX_REQUESTS = 40;

type Node = { kind: 'entry'; entry: Entry; bytes: number } | { kind: 'rest'; folder: string; offset: number; bytes: number };

export interface LargestFiles {
  files: Entry[];
  /** True when the request budget ran out first: these are the largest found, not surely the largest. */
  partial: boolean;
}

export async function largestFiles(folder: string, count: number, signal?: AbortSignal): Promise<LargestFiles> {
  const frontier: Node[] = [];
  const files: Entry[] = [];
  let requests = 0;

  const read = async (path: string, offset: number) => {
    requests++;
    const page = await api.get<TreePage>('/api/tree', { path, sort: 'size', order: 'desc', offset, limit: PAGE }, signal);
    for (const entry of page.entries) frontier.push({ kind: 'entry', entry, bytes: entry.bytes });
    const next = offset + page.entries.length;
    const last = page.entries[page.entries.length - 1];
    if (last && next < page.total) frontier.push({ kind: 'rest', folder: path, offset: next, bytes: last.bytes });
  };

  await read(folder, 0);
  while (files.length < count && frontier.length > 0) {
    // Small frontiers (a few pages): sorting beats keeping a heap.
    frontier.sort((a, b) => b.bytes - a.bytes);
    const top = frontier.shift()!;
    if (top.kind === 'entry' && top.entry.kind === 'file') {
      files.push(top.entry);
      continue;
    }
    // Links are never followed and devices hold nothing to list.
    if (top.kind === 'entry' && top.entry.kind !== 'dir') continue;
    if (requests >= MAX_REQUESTS) return { files, partial: true };
    if (top.kind === 'rest') await read(top.folder, top.offset);
    else if ((top.entry.children ?? 1) > 0) await read(top.entry.path, 0);
  }
  return { files, partial: false };
}
