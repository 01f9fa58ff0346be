// Checkpoints made of several files: Hugging Face folders (single and
// sharded weights), shard sets, DeepSpeed global_stepN/, and run sidecars.
import { cpSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/temp.js';
import { detectFolder } from './detect.js';
import { RootFs } from '../fs/root-fs.js';
import { localFolder, rootFsFolder } from './folder-files.js';
import { parseSidecarMetrics, parseTrainerState } from './hf.js';
import { readCheckpointFolder, readShardSet, readSidecars } from './read-folder.js';
import { fixture } from './test-utils/fixtures.js';
import { pk } from './test-utils/pickle-builder.js';
import { writeSafetensors } from './test-utils/safetensors-builder.js';
import { writeTorchZip } from './test-utils/zip-builder.js';

const LATER = { now: Date.now() + 86_400_000 };

function shards(dir: string, opts: { index?: boolean; skip?: number } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const names = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'];
  const weightMap: Record<string, string> = {};
  names.forEach((n, i) => {
    weightMap[`layer${i}.weight`] = n;
    weightMap[`layer${i}.bias`] = n;
    if (i !== opts.skip) writeSafetensors(path.join(dir, n), [{ name: `layer${i}.weight`, shape: [8, 8], dtype: 'BF16' }, { name: `layer${i}.bias`, shape: [8], dtype: 'BF16' }], { epoch: '3' });
  });
  if (opts.index !== false) writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 3 * 144 }, weight_map: weightMap }));
  return [...names, ...(opts.index !== false ? ['model.safetensors.index.json'] : [])];
}

describe('Hugging Face folders', () => {
  it('detectFolder', () => {
    expect(detectFolder(['trainer_state.json', 'model.safetensors', 'optimizer.pt'])).toBe('hf');
    expect(detectFolder(['config.json', 'pytorch_model.bin'])).toBe('hf');
    expect(detectFolder(['config.json', 'model-00001-of-00002.safetensors', 'model.safetensors.index.json'])).toBe('hf');
    expect(detectFolder(['mp_rank_00_model_states.pt', 'zero_pp_rank_0_mp_rank_00_optim_states.pt'])).toBe('deepspeed');
    expect(detectFolder(['config.json', 'notes.txt'])).toBeNull();
    expect(detectFolder(['model.safetensors'])).toBeNull();
  });

  it('trainer_state.json: the last log entry gives metrics; bad JSON is refused', () => {
    const s = parseTrainerState(JSON.stringify({ global_step: 10, epoch: 0.5, log_history: [{ loss: 2, step: 5 }, { eval_loss: 1.5, eval_acc: 0.7, epoch: 0.5, step: 10 }] }));
    expect(s).toEqual({ globalStep: 10, epoch: 0.5, lastLog: { eval_loss: 1.5, eval_acc: 0.7 } });
    expect(() => parseTrainerState('{oops')).toThrow(/not valid JSON/);
  });

  it('a Trainer folder with sharded weights', () => {
    const dir = path.join(tempDir(), 'checkpoint-1500');
    shards(dir);
    cpSync(fixture('checkpoint-500/optimizer.pt'), path.join(dir, 'optimizer.pt'));
    writeFileSync(path.join(dir, 'trainer_state.json'), JSON.stringify({ global_step: 1500, epoch: 3.0, best_metric: 0.2, log_history: [{ eval_loss: 0.2, step: 1500 }] }));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 8, architectures: ['X'] }));
    const info = readCheckpointFolder(localFolder(dir), LATER);
    expect(info).toMatchObject({ format: 'hf-folder', step: 1500, epoch: 3, tensors: 6, parameters: 3 * 72, dtypes: ['bfloat16'], optimizerBytes: 1712 });
    expect(info.metrics).toEqual({ best_metric: 0.2, eval_loss: 0.2 });
    expect(info.scalars).toMatchObject({ 'config.model_type': 'bert', 'config.hidden_size': 8 });
    expect(info.integrity).toEqual({ status: 'ok' });
  });

  it('a folder part being written makes the folder writing; a broken trainer_state.json makes it corrupt', () => {
    const dir = path.join(tempDir(), 'checkpoint-500');
    cpSync(fixture('checkpoint-500'), dir, { recursive: true });
    const now = Date.now();
    for (const n of ['config.json', 'model.safetensors', 'optimizer.pt', 'trainer_state.json']) utimesSync(path.join(dir, n), new Date(now - 3_600_000), new Date(now - 3_600_000));
    expect(readCheckpointFolder(localFolder(dir), { now }).integrity.status).toBe('ok');
    utimesSync(path.join(dir, 'optimizer.pt'), new Date(now), new Date(now));
    expect(readCheckpointFolder(localFolder(dir), { now }).integrity).toMatchObject({ status: 'writing', detail: expect.stringMatching(/^optimizer.pt/) });
    writeFileSync(path.join(dir, 'trainer_state.json'), '{"global_step": 5');
    const later = readCheckpointFolder(localFolder(dir), { now: now + 3_600_000 });
    expect(later.integrity).toEqual({ status: 'corrupt', detail: 'trainer_state.json: trainer_state.json is not valid JSON' });
    expect(later.tensors).toBe(4);
  });
});

describe('through RootFs', () => {
  it('reads a folder under the root and never follows a link inside it', () => {
    const root = tempDir();
    const dir = path.join(root, 'run', 'checkpoint-500');
    mkdirSync(path.dirname(dir));
    cpSync(fixture('checkpoint-500'), dir, { recursive: true });
    const outside = path.join(tempDir(), 'optimizer.pt');
    cpSync(path.join(dir, 'optimizer.pt'), outside);
    rmSync(path.join(dir, 'optimizer.pt'));
    symlinkSync(outside, path.join(dir, 'optimizer.pt'));
    const info = readCheckpointFolder(rootFsFolder(new RootFs(root), 'run/checkpoint-500'), LATER);
    expect(info).toMatchObject({ format: 'hf-folder', step: 500, tensors: 4, integrity: { status: 'ok' } });
    expect(info.optimizerBytes).toBeUndefined();
  });
});

describe('shard sets', () => {
  it('sums the shards; a missing shard makes the set truncated', () => {
    const dir = tempDir();
    const names = shards(dir);
    expect(readShardSet(localFolder(dir), names, LATER)).toMatchObject({ format: 'safetensors', tensors: 6, parameters: 216, epoch: 3, integrity: { status: 'ok' } });
    rmSync(path.join(dir, names[1]));
    const partial = readShardSet(localFolder(dir), names.filter((n) => n !== names[1]), LATER);
    expect(partial.integrity).toEqual({ status: 'truncated', detail: 'model-00002-of-00003.safetensors: shard missing' });
    expect(partial.tensors).toBe(4);
  });

  it('without an index, the shard names say how many there are', () => {
    const dir = tempDir();
    const names = shards(dir, { index: false, skip: 2 });
    const info = readShardSet(localFolder(dir), names.slice(0, 2), LATER);
    expect(info.integrity.status).toBe('truncated');
    expect(info.integrity.detail).toMatch(/model-00003-of-00003/);
  });
});

describe('DeepSpeed global_stepN/', () => {
  it('model states (module), step from global_steps, optimizer bytes from the ZeRO partitions', () => {
    const dir = path.join(tempDir(), 'global_step100');
    mkdirSync(dir);
    const model = pk().proto(2).emptyDict()
      .str('module').global('collections', 'OrderedDict').emptyTuple().reduce().str('w').tensor('0', [10, 10], 'HalfStorage').setitem().setitem()
      .str('global_steps').int(100).setitem().str('global_samples').int(3200).setitem().str('ds_version').str('0.14.0').setitem().stop().done();
    writeTorchZip(path.join(dir, 'mp_rank_00_model_states.pt'), 'mp_rank_00_model_states', model, [{ key: '0', zeros: 200 }]);
    const optim = pk().proto(2).emptyDict().str('optimizer_state_dict').emptyDict()
      .str('fp32_flat_groups').emptyList().tensor('0', [100]).append().setitem().setitem().stop().done();
    for (const rank of [0, 1]) writeTorchZip(path.join(dir, `zero_pp_rank_${rank}_mp_rank_00_optim_states.pt`), 'o', optim, [{ key: '0', zeros: 400 }]);
    writeFileSync(path.join(dir, '..', 'latest'), 'global_step100');
    const info = readCheckpointFolder(localFolder(dir), LATER);
    expect(info).toMatchObject({ format: 'torch-zip', step: 100, tensors: 1, parameters: 100, dtypes: ['float16'], optimizerBytes: 800, integrity: { status: 'ok' } });
    expect(info.scalars).toMatchObject({ ds_version: '0.14.0', global_samples: 3200 });
  });
});

describe('sidecars', () => {
  it('metrics.json, results.json and eval*.json in a run folder, nested values flattened', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ epoch: 10, val: { px: 4.1, loss: 0.2 }, config: { lr: 0.1 }, note: 'x' }));
    writeFileSync(path.join(dir, 'eval_results.json'), JSON.stringify({ eval_loss: 0.3, eval_samples: 100 }));
    writeFileSync(path.join(dir, 'results.json'), '{"broken": ');
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ lr: 1 }));
    const r = readSidecars(localFolder(dir));
    expect(r.files).toEqual(['eval_results.json', 'metrics.json']);
    expect(r.metrics).toEqual({ eval_loss: 0.3, eval_samples: 100, 'val.px': 4.1, 'val.loss': 0.2 });
    expect(r.errors).toEqual(['results.json: metrics file is not valid JSON']);
    expect(parseSidecarMetrics('[1, 2]')).toEqual({});
  });
});
