// The `verify` job: the full integrity check (every zip entry's CRC-32) of
// every checkpoint or a selection, through RootFs descriptors, with progress
// in bytes. Verdicts on files that stayed put go to `onResult`, so the model
// service can show them; a file that changed while it was read gets none.
import { closeSync } from 'node:fs';
import { ApiError } from '../errors.js';
import { normalizeRelPath } from '../fs/paths.js';
import type { RootFs } from '../fs/root-fs.js';
import type { JobKind } from '../jobs/manager.js';
import { worstIntegrity } from '../models/checkpoint-info.js';
import { applyWriting, MODEL_EXTENSIONS, verifyCheckpointFile, type Integrity, type IntegrityStatus } from '../models/index.js';
import { KIND_DIR, KIND_FILE } from '../scan/batch.js';
import { F_BADNAME } from '../scan/columns.js';
import { etagOf } from '../scan/entry-view.js';
import { statEtag } from '../scan/etag.js';
import type { TreeIndex } from '../scan/tree-index.js';
import { folderUnits, joinPath, parentOf, walkUnits, type UnitRef } from './units.js';

/** One file of a checkpoint as the index saw it when the job was asked for. */
interface TargetFile {
  path: string;
  /** Its name inside the checkpoint (for folders and shard sets), "" for a single-file checkpoint. */
  part: string;
  etag: string;
  bytes: number;
}

interface Target {
  path: string;
  etag: string;
  files: TargetFile[];
}

/** The verdict on one checkpoint. */
export interface VerifyItem {
  path: string;
  status: IntegrityStatus;
  detail?: string;
  /** Entries whose CRC-32 differs (prefixed by the part's name in a folder or shard set). */
  failures: string[];
}

/** The job's `result`. */
export interface VerifyJobResult {
  items: VerifyItem[];
  counts: Partial<Record<IntegrityStatus, number>>;
  bytes: number;
  ms: number;
}

export interface VerifyJobDeps {
  index: () => TreeIndex | null;
  rootFs: RootFs;
  /** A checkpoint's full-check verdict, with the unit etag it holds for (skipped when a file changed meanwhile). */
  onResult?: (path: string, integrity: Integrity, etag: string) => void;
  /** The clock of the writing rule. */
  now?: () => number;
}

const isModelFile = (name: string) => MODEL_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e));

/** Model files at or below `id`, relative names taken from `base`. */
function modelFilesBelow(ix: TreeIndex, id: number, path: string, part: string, out: TargetFile[]): void {
  const k = ix.kind(id);
  if ((ix.c.flags[id] & F_BADNAME) !== 0) return;
  if (k === KIND_FILE) {
    if (isModelFile(path)) out.push({ path, part, etag: etagOf(ix, id), bytes: ix.c.bytes[id] });
  } else if (k === KIND_DIR) {
    for (const ch of ix.childrenOf(id)) {
      const name = ix.nameOf(ch);
      modelFilesBelow(ix, ch, joinPath(path, name), part === '' ? name : `${part}/${name}`, out);
    }
  }
}

function targetOf(ix: TreeIndex, u: UnitRef): Target {
  const files: TargetFile[] = [];
  if (u.kind === 'file') {
    const id = ix.lookup(u.path);
    if (id >= 0) files.push({ path: u.path, part: '', etag: etagOf(ix, id), bytes: ix.c.bytes[id] });
  } else if (u.kind === 'folder') {
    const id = ix.lookup(u.path);
    if (id >= 0) modelFilesBelow(ix, id, u.path, '', files);
  } else {
    for (const p of u.parts) {
      const id = ix.lookup(joinPath(u.run, p));
      if (id >= 0 && isModelFile(p)) files.push({ path: joinPath(u.run, p), part: p, etag: etagOf(ix, id), bytes: ix.c.bytes[id] });
    }
  }
  return { path: u.path, etag: u.etag, files };
}

/** The checkpoints a `paths` list names: a checkpoint itself, or every checkpoint under a folder. */
function targetsOf(ix: TreeIndex, paths: readonly unknown[] | undefined): Target[] {
  const units: UnitRef[] = [];
  if (paths === undefined) {
    for (const { units: found } of walkUnits(() => ix, '')) units.push(...found);
  } else {
    for (const raw of paths) {
      const p = normalizeRelPath(raw);
      const own = p === '' ? undefined : folderUnits(ix, parentOf(p))?.units.find((u) => u.path === p);
      if (own) units.push(own);
      else if (ix.lookup(p) < 0) throw new ApiError(404, 'NOT_FOUND', `no such entry: ${p}`);
      else if (ix.kind(ix.lookup(p)) !== KIND_DIR) throw new ApiError(409, 'NOT_A_CHECKPOINT', `${p} is not a checkpoint`);
      else for (const { units: found } of walkUnits(() => ix, p)) units.push(...found);
    }
  }
  const seen = new Set<string>();
  return units.filter((u) => !seen.has(u.path) && seen.add(u.path)).map((u) => targetOf(ix, u));
}

/** Opens, checks and re-checks one file; `stable` is false when it changed or was replaced meanwhile. */
async function verifyFile(deps: VerifyJobDeps, f: TargetFile, signal: AbortSignal, onBytes: (n: number) => void): Promise<{ integrity: Integrity; failures: string[]; stable: boolean }> {
  let opened;
  try {
    opened = deps.rootFs.openFile(f.path);
  } catch (err) {
    if (err instanceof ApiError) return { integrity: { status: 'unchecked', detail: `not checked: ${err.message}` }, failures: [], stable: false };
    throw err;
  }
  const before = statEtag(opened.stat);
  try {
    const r = await verifyCheckpointFile(opened.fd, Number(opened.stat.size), { signal, onProgress: (p) => onBytes(Math.min(p.bytesDone, f.bytes)) });
    let after: string | undefined;
    try {
      const st = deps.rootFs.lstat(f.path);
      after = st.isFile() ? statEtag(st) : undefined;
    } catch {
      // Gone since: the verdict was about a file that no longer exists there.
    }
    const now = deps.now?.() ?? Date.now();
    const mtimeMs = Number(opened.stat.mtimeNs) / 1e6;
    if (after !== before) {
      return { integrity: applyWriting({ status: 'unchecked', detail: 'changed during the check' }, { mtimeMs, now }), failures: [], stable: false };
    }
    const integrity = applyWriting({ status: r.status, ...(r.detail !== undefined ? { detail: r.detail } : {}) }, { mtimeMs, now });
    return { integrity, failures: integrity.status === r.status ? r.failures : [], stable: before === f.etag };
  } finally {
    closeSync(opened.fd);
  }
}

/** The `verify` job kind: `{ paths?: string[] }`, every checkpoint when absent. */
export function verifyJob(deps: VerifyJobDeps): JobKind<{ targets: Target[] }> {
  return {
    kind: 'verify',
    mutates: false,
    prepare(params) {
      const extra = Object.keys(params).filter((k) => k !== 'paths');
      if (extra.length > 0) throw new ApiError(400, 'INVALID_PARAMS', `unknown parameter: ${extra.join(', ')}`);
      const paths = params.paths;
      if (paths !== undefined && (!Array.isArray(paths) || paths.length === 0 || paths.length > 20_000)) {
        throw new ApiError(400, 'INVALID_PARAMS', 'paths must be a list of 1 to 20000 paths');
      }
      const ix = deps.index();
      if (ix === null) throw new ApiError(409, 'NOT_READY', 'the first scan has not finished yet');
      const targets = targetsOf(ix, paths as unknown[] | undefined);
      const title = paths === undefined ? 'Verify every checkpoint' : targets.length === 1 ? `Verify ${targets[0].path}` : `Verify ${targets.length} checkpoints`;
      return { title, unit: 'bytes', params: { targets } };
    },
    async run({ targets }, ctx): Promise<VerifyJobResult> {
      const t0 = performance.now();
      const total = targets.reduce((s, t) => s + t.files.reduce((a, f) => a + f.bytes, 0), 0);
      let done = 0;
      ctx.progress({ done: 0, total });
      const items: VerifyItem[] = [];
      const counts: VerifyJobResult['counts'] = {};
      for (const t of targets) {
        const parts: Array<{ name: string; integrity: Integrity }> = [];
        const failures: string[] = [];
        let stable = true;
        for (const f of t.files) {
          const r = await verifyFile(deps, f, ctx.signal, (n) => ctx.progress({ done: done + n }));
          done += f.bytes;
          ctx.progress({ done, message: t.path });
          parts.push({ name: f.part || t.path, integrity: r.integrity });
          failures.push(...r.failures.map((x) => (f.part ? `${f.part}: ${x}` : x)));
          stable &&= r.stable;
        }
        const integrity = t.files.length === 1 ? parts[0].integrity : worstIntegrity(parts);
        items.push({ path: t.path, status: integrity.status, ...(integrity.detail !== undefined ? { detail: integrity.detail } : {}), failures });
        counts[integrity.status] = (counts[integrity.status] ?? 0) + 1;
        if (stable && t.files.length > 0) deps.onResult?.(t.path, integrity, t.etag);
      }
      const bad = items.length - (counts.ok ?? 0);
      ctx.progress({ message: bad === 0 ? `${items.length} checkpoints ok` : `${bad} of ${items.length} checkpoints not ok` });
      return { items, counts, bytes: done, ms: Math.round(performance.now() - t0) };
    },
  };
}
