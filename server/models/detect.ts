// Format by content, never by name: a `.pt` may be a zip, a legacy pickle
// stream or anything else, and a `.bin` may be any of them too.
import type { Checkpoint } from '../../shared/schemas/entry.js';
import type { ByteSource } from './byte-source.js';
import { startsWithLegacyMagic } from './legacy.js';
import { looksLikeSafetensors } from './safetensors.js';
import { isTorchDirectory } from './torch-file.js';
import { endsLikeZip, firstLocalEntry, looksLikeZip, readZipDirectory } from './zip.js';

/** The format of one checkpoint, as the API names it. */
export type ModelFormat = Checkpoint['format'];

// Enough for a zip signature, the pickled legacy magic (15 bytes at protocol 2, ~25 with a FRAME) and a safetensors '{'.
const HEAD_BYTES = 64;

/** The format of a single file from its bytes. */
export function detectFormat(src: ByteSource): ModelFormat {
  const head = src.read(0, HEAD_BYTES);
  if (looksLikeZip(head) || endsLikeZip(src)) {
    // torch writes data.pkl first; only other zips need their directory read.
    const first = firstLocalEntry(src);
    if (first && (first.name === 'data.pkl' || first.name.endsWith('/data.pkl'))) return 'torch-zip';
    try {
      return isTorchDirectory(readZipDirectory(src)) ? 'torch-zip' : 'unknown';
    } catch {
      return 'unknown'; // A zip we cannot read whose first entry is not data.pkl is not a torch file we can name.
    }
  }
  if (startsWithLegacyMagic(head)) return 'torch-legacy';
  if (looksLikeSafetensors(head)) return 'safetensors';
  return 'unknown';
}

/** Model weight files a Hugging Face folder may hold (sharded ones match SHARD_NAME). */
const HF_MODEL_FILES = new Set([
  'model.safetensors', 'pytorch_model.bin', 'adapter_model.safetensors', 'adapter_model.bin',
  'model.safetensors.index.json', 'pytorch_model.bin.index.json', 'optimizer.pt',
]);
/** `<stem>-00001-of-00003.<ext>`: one part of a shard set. */
export const SHARD_NAME = /^(.+)-(\d{5})-of-(\d{5})\.([A-Za-z0-9_]+)$/;
const DEEPSPEED_FILE = /^(mp_rank_\d+_model_states|.*_optim_states)\.pt$/;

/** The kind of checkpoint folder from its child names: a Hugging Face Trainer save, a DeepSpeed `global_stepN/`, or neither. */
export function detectFolder(names: readonly string[]): 'hf' | 'deepspeed' | null {
  if (names.some((n) => DEEPSPEED_FILE.test(n))) return 'deepspeed';
  const hasState = names.includes('trainer_state.json') || names.includes('config.json');
  const hasModel = names.some((n) => HF_MODEL_FILES.has(n) || (SHARD_NAME.test(n) && /\.(safetensors|bin)$/.test(n)));
  return hasState && hasModel ? 'hf' : null;
}
