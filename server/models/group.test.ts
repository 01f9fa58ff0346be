// Recognising checkpoints among a folder's children, from names alone.
import { describe, expect, it } from 'vitest';
import { groupCheckpoints, isModelFileName } from './group.js';

describe('groupCheckpoints', () => {
  it('model files, checkpoint folders and shard sets as one unit each; nothing else', () => {
    const dirs = new Set(['checkpoint-500', 'global_step100', 'logs', 'checkpoint-best', 'model.pt']);
    const names = [
      'checkpoint_epoch1.pt', 'final_model.pt', 'last.ckpt', 'weights.pth', 'model.bin', 'X.PT', 'a.safetensors',
      'train.log', 'events.out.tfevents.1.gpu01', 'notes.txt', 'results.json', 'latest', '.pt',
      'checkpoint-500', 'global_step100', 'logs', 'checkpoint-best', 'model.pt',
      'model-00002-of-00002.safetensors', 'model-00001-of-00002.safetensors', 'model.safetensors.index.json',
      'pytorch_model-00001-of-00003.bin', 'pytorch_model-00003-of-00003.bin',
      'training_args.bin', 'rng_state.pth', 'rng_state_3.pth', 'scheduler.pt',
    ];
    const units = groupCheckpoints(names, (n) => dirs.has(n));
    expect(units).toEqual([
      { name: 'X.PT', kind: 'file', parts: ['X.PT'] },
      { name: 'a.safetensors', kind: 'file', parts: ['a.safetensors'] },
      { name: 'checkpoint-500', kind: 'folder', parts: ['checkpoint-500'] },
      { name: 'checkpoint_epoch1.pt', kind: 'file', parts: ['checkpoint_epoch1.pt'] },
      { name: 'final_model.pt', kind: 'file', parts: ['final_model.pt'] },
      { name: 'global_step100', kind: 'folder', parts: ['global_step100'] },
      { name: 'last.ckpt', kind: 'file', parts: ['last.ckpt'] },
      { name: 'model.bin', kind: 'file', parts: ['model.bin'] },
      {
        name: 'model.safetensors.index.json',
        kind: 'shards',
        parts: ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json'],
        complete: true,
      },
      // No index, one shard of three missing: still one unit, marked incomplete.
      { name: 'pytorch_model-00001-of-00003.bin', kind: 'shards', parts: ['pytorch_model-00001-of-00003.bin', 'pytorch_model-00003-of-00003.bin'], complete: false },
      { name: 'weights.pth', kind: 'file', parts: ['weights.pth'] },
    ]);
  });

  it('two shard sets side by side stay apart; a lone index is not a checkpoint', () => {
    const names = ['a-00001-of-00002.bin', 'a-00002-of-00002.bin', 'b-00001-of-00001.safetensors', 'c.safetensors.index.json'];
    expect(groupCheckpoints(names, () => false).map((u) => [u.name, u.parts.length, u.complete])).toEqual([
      ['a-00001-of-00002.bin', 2, true],
      ['b-00001-of-00001.safetensors', 1, true],
    ]);
  });

  it('isModelFileName', () => {
    expect(['a.pt', 'a.pth', 'a.ckpt', 'a.bin', 'a.safetensors', 'epoch=3-step=1200.ckpt'].every(isModelFileName)).toBe(true);
    expect(['a.pt.tmp', 'a.json', 'training_args.bin', 'scaler.pt', '.pt'].some(isModelFileName)).toBe(false);
  });
});
