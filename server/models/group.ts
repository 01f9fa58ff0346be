// Which children of a folder are checkpoints, from names alone: model files,
// checkpoint folders, and shard sets counted once (their parts are not
// checkpoints of their own). Pure, so the scanner can call it per folder.
import { SHARD_NAME } from './detect.js';

/** File extensions of model saves (PRODUCT.md "checkpoint"). */
export const MODEL_EXTENSIONS = ['.pt', '.pth', '.ckpt', '.bin', '.safetensors'];

// Trainer side files with model extensions that hold no model (HF's TrainingArguments, RNG and scheduler state).
const NOT_MODELS = /^(training_args\.bin|scheduler\.pt|scaler\.pt|rng_state(_\d+)?\.pth)$/;
const CHECKPOINT_FOLDER = /^(checkpoint-\d+|global_step\d+)$/;

/** One checkpoint among a folder's children. */
export interface CheckpointUnit {
  /** The name that stands for it: the file, the folder, or a shard set's index (else its first shard). */
  name: string;
  kind: 'file' | 'folder' | 'shards';
  /** Every child that belongs to it: itself, or all shards plus the index. */
  parts: string[];
  /** Shard sets: every one of the N shards is present. */
  complete?: boolean;
}

/** True for a file name with a model extension that is not a known side file. */
export function isModelFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return MODEL_EXTENSIONS.some((e) => lower.endsWith(e) && lower.length > e.length) && !NOT_MODELS.test(name);
}

/** True for Hugging Face `checkpoint-<N>` and DeepSpeed `global_step<N>` folder names. */
export function isCheckpointFolderName(name: string): boolean {
  return CHECKPOINT_FOLDER.test(name);
}

/** The checkpoints among a folder's children, sorted by name. */
export function groupCheckpoints(names: readonly string[], isDir: (name: string) => boolean): CheckpointUnit[] {
  const units: CheckpointUnit[] = [];
  const sets = new Map<string, { shards: Map<number, string>; total: number; indexName: string }>();
  const dirs = new Set(names.filter((n) => isDir(n)));
  for (const name of names) {
    if (dirs.has(name)) {
      if (isCheckpointFolderName(name)) units.push({ name, kind: 'folder', parts: [name] });
      continue;
    }
    if (!isModelFileName(name)) continue;
    const m = SHARD_NAME.exec(name);
    if (m && Number(m[3]) > 0 && Number(m[2]) >= 1 && Number(m[2]) <= Number(m[3])) {
      const [, stem, part, total, ext] = m;
      const key = `${stem}\0${total}\0${ext}`;
      let set = sets.get(key);
      if (!set) sets.set(key, (set = { shards: new Map(), total: Number(total), indexName: `${stem}.${ext}.index.json` }));
      set.shards.set(Number(part), name);
      continue;
    }
    units.push({ name, kind: 'file', parts: [name] });
  }
  const files = new Set(names.filter((n) => !dirs.has(n)));
  for (const set of sets.values()) {
    const shards = [...set.shards.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    const hasIndex = files.has(set.indexName);
    units.push({
      name: hasIndex ? set.indexName : shards[0],
      kind: 'shards',
      parts: hasIndex ? [...shards, set.indexName] : shards,
      complete: set.shards.size === set.total,
    });
  }
  return units.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
