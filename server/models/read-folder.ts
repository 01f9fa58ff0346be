// Checkpoints that are more than one file: a Hugging Face Trainer folder
// (`checkpoint-N/`), a DeepSpeed `global_stepN/`, and a shard set
// (`model-00001-of-00003.safetensors` … with its index). Each part is read
// with readCheckpoint; the results combine into one CheckpointInfo.
import { addGlobals, addWeights, emptyInfo, worstIntegrity, type CheckpointInfo } from './checkpoint-info.js';
import { detectFolder, SHARD_NAME } from './detect.js';
import { messageOf } from './errors.js';
import { readSmallText, withFile, type FolderFiles } from './folder-files.js';
import { isSidecarName, MAX_JSON_BYTES, parseConfigJson, parseSidecarMetrics, parseTrainerState, trainerStateFields } from './hf.js';
import { applyWriting, integrityFromError, OK, type Integrity } from './integrity.js';
import { readCheckpoint, type ReadOptions } from './read-checkpoint.js';

/** Options of the folder readers. */
export interface FolderReadOptions extends ReadOptions {
  /** Most parts read from one folder or shard set (default 1024). */
  maxParts?: number;
}

interface Part {
  name: string;
  integrity: Integrity;
}

const HF_WEIGHTS = ['model.safetensors', 'pytorch_model.bin', 'adapter_model.safetensors', 'adapter_model.bin'];
const INDEX_SUFFIX = '.index.json';

function readPart(folder: FolderFiles, name: string, opts: ReadOptions): CheckpointInfo | null {
  try {
    return withFile(folder, name, (f) => readCheckpoint(f.fd, f.size, f.mtimeMs, opts));
  } catch (err) {
    return { ...emptyInfo('unknown', integrityFromError(err)), error: messageOf(err) };
  }
}

/** A JSON part: its text, or the integrity problem it has (unreadable, or being written). */
function readJsonPart(folder: FolderFiles, name: string, opts: ReadOptions, parts: Part[]): string | null {
  try {
    const file = readSmallText(folder, name, MAX_JSON_BYTES);
    if (!file) return null;
    parts.push({ name, integrity: applyWriting(OK, { mtimeMs: file.mtimeMs, changedAtMs: opts.changedAtMs, now: opts.now ?? Date.now() }) });
    return file.text;
  } catch (err) {
    parts.push({ name, integrity: integrityFromError(err) });
    return null;
  }
}

/** The shard names an index lists (weight_map values), or those its pattern implies. */
function expectedShards(folder: FolderFiles, names: readonly string[], opts: ReadOptions, parts: Part[]): string[] {
  const index = names.find((n) => n.endsWith(INDEX_SUFFIX));
  const text = index ? readJsonPart(folder, index, opts, parts) : null;
  if (text !== null) {
    try {
      const map = (JSON.parse(text) as { weight_map?: Record<string, unknown> }).weight_map;
      if (map && typeof map === 'object') {
        const listed = [...new Set(Object.values(map).filter((v): v is string => typeof v === 'string' && !v.includes('/')))];
        if (listed.length > 0) return listed.sort();
      }
    } catch {
      parts.push({ name: index!, integrity: { status: 'corrupt', detail: 'not valid JSON' } });
    }
  }
  const shard = names.map((n) => SHARD_NAME.exec(n)).find((m) => m !== null);
  if (!shard) return [];
  const [, stem, , total, ext] = shard;
  return Array.from({ length: Number(total) }, (_, i) => `${stem}-${String(i + 1).padStart(5, '0')}-of-${total}.${ext}`);
}

/** Reads a shard set given the names of its files (shards and index) inside `folder`. */
export function readShardSet(folder: FolderFiles, names: readonly string[], opts: FolderReadOptions = {}): CheckpointInfo {
  const parts: Part[] = [];
  const present = new Set(names);
  const info = emptyInfo('unknown', OK);
  let first: CheckpointInfo | undefined;
  const shards = expectedShards(folder, names, opts, parts).slice(0, opts.maxParts ?? 1024);
  for (const shard of shards) {
    const part = present.has(shard) ? readPart(folder, shard, opts) : null;
    if (!part) {
      parts.push({ name: shard, integrity: { status: 'truncated', detail: 'shard missing' } });
      continue;
    }
    first ??= part;
    addWeights(info, part);
    if (part.optimizerBytes !== undefined) info.optimizerBytes = (info.optimizerBytes ?? 0) + part.optimizerBytes;
    parts.push({ name: shard, integrity: part.integrity });
  }
  if (first) Object.assign(info, { format: first.format, scalars: first.scalars, metrics: first.metrics, epoch: first.epoch, step: first.step });
  return stripUndefined({ ...info, integrity: worstIntegrity(parts) });
}

function readHf(folder: FolderFiles, names: string[], opts: FolderReadOptions): CheckpointInfo {
  const parts: Part[] = [];
  const info = emptyInfo('hf-folder', OK);
  const stateText = names.includes('trainer_state.json') ? readJsonPart(folder, 'trainer_state.json', opts, parts) : null;
  const configText = names.includes('config.json') ? readJsonPart(folder, 'config.json', opts, parts) : null;
  let modelScalars: CheckpointInfo['scalars'] = {};
  let modelFields: Pick<CheckpointInfo, 'epoch' | 'step' | 'metrics'> = { metrics: {} };
  const shardNames = names.filter((n) => SHARD_NAME.test(n) || n.endsWith(INDEX_SUFFIX));
  const single = HF_WEIGHTS.find((n) => names.includes(n));
  const weights = shardNames.length > 0 && !single ? readShardSet(folder, shardNames, opts) : single ? readPart(folder, single, opts) : null;
  if (weights) {
    addWeights(info, weights);
    modelScalars = weights.scalars;
    modelFields = { epoch: weights.epoch, step: weights.step, metrics: weights.metrics };
    parts.push({ name: single ?? 'shards', integrity: weights.integrity });
  }
  if (names.includes('optimizer.pt')) {
    const opt = readPart(folder, 'optimizer.pt', opts);
    if (opt) {
      const size = withFile(folder, 'optimizer.pt', (f) => f.size) ?? 0;
      info.optimizerBytes = opt.optimizerBytes ?? size;
      addGlobals(info, opt);
      parts.push({ name: 'optimizer.pt', integrity: opt.integrity });
    }
  }
  let config: CheckpointInfo['scalars'] = {};
  try {
    if (configText !== null) config = parseConfigJson(configText);
  } catch (err) {
    parts.push({ name: 'config.json', integrity: integrityFromError(err) });
  }
  let trainer: ReturnType<typeof trainerStateFields> | undefined;
  try {
    if (stateText !== null) {
      info.trainer = parseTrainerState(stateText);
      trainer = trainerStateFields(info.trainer);
    }
  } catch (err) {
    parts.push({ name: 'trainer_state.json', integrity: integrityFromError(err) });
  }
  info.scalars = { ...config, ...modelScalars, ...(trainer?.scalars ?? {}) };
  info.metrics = { ...modelFields.metrics, ...(trainer?.metrics ?? {}) };
  info.epoch = trainer?.epoch ?? modelFields.epoch;
  info.step = trainer?.step ?? modelFields.step;
  return stripUndefined({ ...info, integrity: worstIntegrity(parts) });
}

function readDeepSpeed(folder: FolderFiles, names: string[], opts: FolderReadOptions): CheckpointInfo {
  const parts: Part[] = [];
  const max = opts.maxParts ?? 1024;
  const info = emptyInfo('unknown', OK);
  const models = names.filter((n) => /^mp_rank_\d+_model_states\.pt$/.test(n)).sort().slice(0, max);
  const optims = names.filter((n) => /_optim_states\.pt$/.test(n)).sort().slice(0, max);
  let first: CheckpointInfo | undefined;
  for (const name of models) {
    const part = readPart(folder, name, opts);
    if (!part) continue;
    first ??= part;
    addWeights(info, part);
    parts.push({ name, integrity: part.integrity });
  }
  for (const name of optims) {
    const part = readPart(folder, name, opts);
    if (!part) continue;
    info.optimizerBytes = (info.optimizerBytes ?? 0) + (part.optimizerBytes ?? withFile(folder, name, (f) => f.size) ?? 0);
    addGlobals(info, part);
    parts.push({ name, integrity: part.integrity });
  }
  if (first) Object.assign(info, { format: first.format, scalars: first.scalars, metrics: first.metrics, epoch: first.epoch, step: first.step });
  return stripUndefined({ ...info, integrity: worstIntegrity(parts) });
}

/** Reads a checkpoint folder: a Hugging Face Trainer save or a DeepSpeed `global_stepN/`. */
export function readCheckpointFolder(folder: FolderFiles, opts: FolderReadOptions = {}): CheckpointInfo {
  let names: string[];
  try {
    names = folder.names();
  } catch (err) {
    return { ...emptyInfo('unknown', integrityFromError(err)), error: messageOf(err) };
  }
  const kind = detectFolder(names);
  if (kind === 'deepspeed') return readDeepSpeed(folder, names, opts);
  if (kind === 'hf') return readHf(folder, names, opts);
  // Nothing a Trainer or DeepSpeed writes: maybe a shard set on its own.
  if (names.some((n) => SHARD_NAME.test(n))) return readShardSet(folder, names.filter((n) => SHARD_NAME.test(n) || n.endsWith(INDEX_SUFFIX)), opts);
  return emptyInfo('unknown', { status: 'unchecked', detail: 'not a recognised checkpoint folder' });
}

/** Metrics from a run folder's sidecar files (metrics.json, results.json, eval*.json), later files winning. */
export function readSidecars(folder: FolderFiles): { metrics: Record<string, number>; files: string[]; errors: string[] } {
  const metrics: Record<string, number> = {};
  const files: string[] = [];
  const errors: string[] = [];
  for (const name of folder.names().filter(isSidecarName).sort()) {
    try {
      const file = readSmallText(folder, name, MAX_JSON_BYTES);
      if (!file) continue;
      Object.assign(metrics, parseSidecarMetrics(file.text));
      files.push(name);
    } catch (err) {
      errors.push(`${name}: ${messageOf(err)}`);
    }
  }
  return { metrics, files, errors };
}

function stripUndefined(info: CheckpointInfo): CheckpointInfo {
  for (const k of Object.keys(info) as Array<keyof CheckpointInfo>) if (info[k] === undefined) delete info[k];
  return info;
}
