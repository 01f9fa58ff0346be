// Every real fixture (written by PyTorch 1.13 or by hand) read with the
// values its README lists.
import { closeSync, existsSync, openSync, fstatSync, utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/temp.js';
import { bufferSource, fdSource } from './byte-source.js';
import { detectFormat } from './detect.js';
import { localFolder } from './folder-files.js';
import { quickIntegrity } from './integrity.js';
import { readCheckpointFolder } from './read-folder.js';
import { copyFixture, fixture, FIXTURES, readFile } from './test-utils/fixtures.js';
import { verifyCheckpointFile } from './verify.js';

const model = (info: { tensors?: number; parameters?: number; dtypes: string[] }) => ({ tensors: info.tensors, parameters: info.parameters, dtypes: info.dtypes });

describe('fixture location', () => {
  it('resolves <repo>/../shared/fixtures/checkpoints from the test file', () => {
    const fromTest = fileURLToPath(new URL('../../../shared/fixtures/checkpoints/', import.meta.url));
    expect(fromTest).toBe(FIXTURES);
    expect(existsSync(`${FIXTURES}checkpoint_epoch007.pt`)).toBe(true);
  });
});

describe('real checkpoints', () => {
  it('checkpoint_epoch007.pt: epoch, step, metrics, flattened config, model and optimizer', () => {
    const info = readFile(fixture('checkpoint_epoch007.pt'));
    expect(info.format).toBe('torch-zip');
    expect(info.epoch).toBe(7);
    expect(info.step).toBe(700);
    expect(info.scalars).toMatchObject({ epoch: 7, global_step: 700, val_loss: 0.1234, val_px: 4.04, 'config.lr': 0.001, 'config.hidden': 16, 'config.seed': 456 });
    expect(info.metrics).toEqual({ val_loss: 0.1234, val_px: 4.04 });
    expect(model(info)).toEqual({ tensors: 4, parameters: 212, dtypes: ['float32'] });
    // Adam: exp_avg and exp_avg_sq per parameter (2 × 212 floats) and a 0-dim float step per tensor.
    expect(info.optimizerBytes).toBe(2 * 212 * 4 + 4 * 4);
    expect(info.unsafe).toBe(false);
    expect(info.integrity).toEqual({ status: 'ok' });
    expect(info.error).toBeUndefined();
  });

  it('state_dict.pt: a bare OrderedDict of 4 float32 tensors, 212 parameters, safe', () => {
    const info = readFile(fixture('state_dict.pt'));
    expect(info.format).toBe('torch-zip');
    expect(model(info)).toEqual({ tensors: 4, parameters: 212, dtypes: ['float32'] });
    expect(info.unsafe).toBe(false);
    expect(info.globals.map((g) => `${g.module} ${g.name}`).sort()).toEqual(['collections OrderedDict', 'torch FloatStorage', 'torch._utils _rebuild_tensor_v2']);
    expect(info.optimizerBytes).toBeUndefined();
    expect(info.metrics).toEqual({});
    expect(info.integrity.status).toBe('ok');
  });

  it('final_model.pt: epoch 100 and nested metrics flattened with dots', () => {
    const info = readFile(fixture('final_model.pt'));
    expect(info.epoch).toBe(100);
    expect(info.metrics).toEqual({ 'metrics.val_px': 3.95, 'metrics.test_px': 4.1 });
    expect(info.tensors).toBe(4);
    expect(info.integrity.status).toBe('ok');
  });

  it('epoch=3-step=1200.ckpt: Lightning fields, and the best score read from its 0-dim tensor', () => {
    const info = readFile(fixture('epoch=3-step=1200.ckpt'));
    expect(info.epoch).toBe(3);
    expect(info.step).toBe(1200);
    expect(info.scalars['pytorch-lightning_version']).toBe('2.1.0');
    expect(info.lightning).toEqual({ version: '2.1.0', monitor: 'val_loss', bestModelScore: 0.25, bestModelPath: 'checkpoints/epoch=3-step=1200.ckpt' });
    expect(info.metrics.best_model_score).toBe(0.25);
    expect(info.scalars).toMatchObject({ 'hyper_parameters.lr': 0.001, 'hyper_parameters.hidden': 16 });
    expect(info.metrics['hyper_parameters.lr']).toBeUndefined();
    expect(model(info)).toEqual({ tensors: 4, parameters: 212, dtypes: ['float32'] });
    expect(info.optimizerBytes).toBeGreaterThan(0);
    expect(info.integrity.status).toBe('ok');
  });

  it('whole_model.pt: a pickled nn.Module is unsafe and names __main__ Net', () => {
    const info = readFile(fixture('whole_model.pt'));
    expect(info.unsafe).toBe(true);
    expect(info.globals).toContainEqual({ module: '__main__', name: 'Net', safe: false });
    expect(info.globals).toContainEqual({ module: 'torch.nn.modules.linear', name: 'Linear', safe: false });
    // Python 2's __builtin__ is read as builtins, as Python's unpickler does: set stays safe.
    expect(info.globals).toContainEqual({ module: 'builtins', name: 'set', safe: true });
    expect(info.tensors).toBe(4);
    expect(info.parameters).toBe(212);
    expect(info.integrity.status).toBe('ok');
  });

  it('legacy.pt: the pre-1.6 format is read, tensors found, storage records checked', () => {
    const info = readFile(fixture('legacy.pt'));
    expect(info.format).toBe('torch-legacy');
    expect(model(info)).toEqual({ tensors: 4, parameters: 212, dtypes: ['float32'] });
    expect(info.integrity).toEqual({ status: 'ok' });
  });

  it('truncated.pt: truncated, its pickle still read, and writing when modified just now', () => {
    const old = readFile(fixture('truncated.pt'));
    expect(old.format).toBe('torch-zip');
    expect(old.integrity.status).toBe('truncated');
    expect(old.integrity.detail).toMatch(/end-of-central-directory/);
    expect(old.epoch).toBe(7);
    const file = copyFixture('truncated.pt', tempDir());
    const now = Date.now();
    utimesSync(file, new Date(now), new Date(now));
    expect(readFile(file, { now }).integrity.status).toBe('writing');
    // Still writing for two minutes after the last change, then truncated.
    expect(readFile(file, { now: now + 60_000 }).integrity.status).toBe('writing');
    expect(readFile(file, { now: now + 121_000 }).integrity.status).toBe('truncated');
  });

  it('corrupt_crc.pt: passes the quick check, fails the full check naming data/0', async () => {
    const info = readFile(fixture('corrupt_crc.pt'));
    expect(info.integrity.status).toBe('ok');
    expect(info.epoch).toBe(7);
    const fd = openSync(fixture('corrupt_crc.pt'), 'r');
    try {
      const result = await verifyCheckpointFile(fd, fstatSync(fd).size);
      expect(result.status).toBe('corrupt');
      expect(result.failures).toEqual(['data/0']);
      expect(result.detail).toContain('data/0');
    } finally {
      closeSync(fd);
    }
  });

  it('model.safetensors: 4 tensors, and metadata epoch "12" becomes epoch 12', () => {
    const info = readFile(fixture('model.safetensors'));
    expect(info.format).toBe('safetensors');
    expect(model(info)).toEqual({ tensors: 4, parameters: 212, dtypes: ['float32'] });
    expect(info.epoch).toBe(12);
    expect(info.scalars).toEqual({ format: 'pt', epoch: 12 });
    expect(info.integrity.status).toBe('ok');
  });

  it('checkpoint-500/: Hugging Face Trainer folder', () => {
    const info = readCheckpointFolder(localFolder(fixture('checkpoint-500')), { now: Date.now() + 86_400_000 });
    expect(info.format).toBe('hf-folder');
    expect(info.step).toBe(500);
    expect(info.epoch).toBe(2);
    expect(info.metrics).toMatchObject({ best_metric: 0.31, eval_loss: 0.31 });
    expect(info.trainer).toMatchObject({ globalStep: 500, epoch: 2, bestMetric: 0.31, bestModelCheckpoint: 'out/checkpoint-500' });
    expect(model(info)).toEqual({ tensors: 4, parameters: 212, dtypes: ['float32'] });
    expect(info.optimizerBytes).toBe(2 * 212 * 4 + 4 * 4);
    expect(info.scalars).toMatchObject({ 'config.hidden': 16 });
    expect(info.unsafe).toBe(false);
    expect(info.integrity).toEqual({ status: 'ok' });
  });

  it('detects every format by content, whatever the name', () => {
    const formats: Record<string, string> = {
      'state_dict.pt': 'torch-zip', 'epoch=3-step=1200.ckpt': 'torch-zip', 'legacy.pt': 'torch-legacy',
      'model.safetensors': 'safetensors', 'truncated.pt': 'torch-zip', 'README.md': 'unknown',
    };
    const dir = tempDir();
    for (const [name, format] of Object.entries(formats)) {
      // Misleading names: content decides.
      const copy = copyFixture(name, dir, `${name}.bin`);
      const fd = openSync(copy, 'r');
      try {
        expect(detectFormat(fdSource(fd, fstatSync(fd).size)), name).toBe(format);
      } finally {
        closeSync(fd);
      }
    }
    expect(detectFormat(bufferSource(Buffer.alloc(0)))).toBe('unknown');
  });

  it('quick integrity of every fixture file on its own', () => {
    const expected: Record<string, string> = {
      'state_dict.pt': 'ok', 'checkpoint_epoch007.pt': 'ok', 'final_model.pt': 'ok', 'epoch=3-step=1200.ckpt': 'ok',
      'whole_model.pt': 'ok', 'legacy.pt': 'ok', 'truncated.pt': 'truncated', 'corrupt_crc.pt': 'ok', 'model.safetensors': 'ok',
      'checkpoint-500/optimizer.pt': 'ok', 'checkpoint-500/model.safetensors': 'ok',
    };
    for (const [name, status] of Object.entries(expected)) {
      const fd = openSync(fixture(name), 'r');
      try {
        expect(quickIntegrity(fdSource(fd, fstatSync(fd).size)).status, name).toBe(status);
      } finally {
        closeSync(fd);
      }
    }
  });
});
