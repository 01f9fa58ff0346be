// What the metadata layer makes of an unpickled checkpoint: flattening,
// metric naming, where the model and optimizer are, values of 0-dim tensors.
import { describe, expect, it } from 'vitest';
import { extractMetadata } from './metadata.js';
import { epochAndStep, isMetricKey } from './metric-names.js';
import { unpickle } from './pickle.js';
import type { TensorStub } from './py-values.js';
import { pk } from './test-utils/pickle-builder.js';

const meta = (b: Buffer, read?: (t: TensorStub) => number | undefined) => extractMetadata(unpickle(b), read);

describe('metric names', () => {
  it('results are metrics; settings, epochs and steps are not', () => {
    for (const k of ['val_px', 'val_loss', 'train_loss', 'eval_accuracy', 'val_acc1', 'top5', 'f1', 'test_nme', 'best_model_score', 'best_metric', 'val/mAP', 'scores.val.px', 'metrics.anything', 'bleu4']) {
      expect(isMetricKey(k), k).toBe(true);
    }
    for (const k of ['epoch', 'global_step', 'step', 'lr', 'seed', 'config.lr', 'config.loss', 'hyper_parameters.val_loss', 'loss_weight', 'patience', 'top_k', 'hidden', 'batch_size']) {
      expect(isMetricKey(k), k).toBe(false);
    }
  });

  it('epoch and step, numbers or numeric strings', () => {
    expect(epochAndStep({ epoch: 3, global_step: 1200, step: 9 })).toEqual({ epoch: 3, step: 1200 });
    expect(epochAndStep({ epoch: '12', iteration: 5 })).toEqual({ epoch: 12, step: 5 });
    expect(epochAndStep({ epoch: 'last' })).toEqual({});
  });
});

describe('extractMetadata', () => {
  it('flattens small nested dicts with dots, keeps strings, turns NaN into a string and out of the metrics', () => {
    const b = pk().proto(2).emptyDict()
      .str('epoch').int(4).setitem()
      .str('scores').emptyDict().str('val').emptyDict().str('px').float(3.9).setitem().str('nme').float(0.05).setitem().setitem().setitem()
      .str('train_loss').float(NaN).setitem()
      .str('arch').str('hrnet').setitem()
      .str('done').bool(true).setitem()
      .str('history').emptyList().float(1).append().setitem()
      .stop().done();
    const m = meta(b);
    expect(m.scalars).toEqual({ epoch: 4, 'scores.val.px': 3.9, 'scores.val.nme': 0.05, train_loss: 'nan', arch: 'hrnet', done: true });
    expect(m.metrics).toEqual({ 'scores.val.px': 3.9, 'scores.val.nme': 0.05 });
    expect(m.epoch).toBe(4);
    expect(m.tensors).toBeUndefined();
  });

  it('0-dim tensors at the top level report their value through the reader', () => {
    const b = pk().proto(2).emptyDict().str('val_loss').tensor('9', []).setitem().str('model').tensor('0', [3, 3]).setitem().stop().done();
    const m = meta(b, (t) => (t.storage?.key === '9' ? 0.5 : undefined));
    expect(m.metrics).toEqual({ val_loss: 0.5 });
    expect(m.tensors).toBe(1);
    expect(m.parameters).toBe(9);
  });

  it('a bare state_dict, a nested model dict, and an optimizer state saved alone', () => {
    const bare = pk().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce()
      .str('a').tensor('0', [2, 2]).setitem().str('b').tensor('1', [2]).setitem().stop().done();
    expect(meta(bare)).toMatchObject({ tensors: 2, parameters: 6, dtypes: ['float32'] });
    const nested = pk().proto(2).emptyDict().str('model').emptyDict()
      .str('encoder').emptyDict().str('w').tensor('0', [4]).setitem().setitem()
      .str('decoder').emptyDict().str('w').tensor('1', [5], 'HalfStorage').setitem().setitem().setitem().stop().done();
    expect(meta(nested)).toMatchObject({ tensors: 2, parameters: 9, dtypes: ['float16', 'float32'] });
    const optimizer = pk().proto(2).emptyDict()
      .str('state').emptyDict().int(0).emptyDict().str('exp_avg').tensor('0', [4]).setitem().str('step').float(3).setitem().setitem().setitem()
      .str('param_groups').emptyList().setitem().stop().done();
    const m = meta(optimizer);
    expect(m.optimizer).toEqual({ key: '', tensors: 1, bytes: 16 });
    expect(m.tensors).toBeUndefined();
    expect(m.scalars).toEqual({});
  });

  it('tensors shared between model and EMA copies are counted once', () => {
    const b = pk().proto(2).emptyDict().str('state_dict').global('collections', 'OrderedDict').emptyTuple().reduce().binput(1)
      .str('w').tensor('0', [10]).binput(2).setitem().str('w2').binget(2).setitem().setitem()
      .str('optimizer').emptyDict().str('state').emptyDict().str('m').tensor('1', [10]).setitem().setitem().setitem()
      .stop().done();
    const m = meta(b);
    expect(m.tensors).toBe(1);
    expect(m.optimizer).toEqual({ key: 'optimizer', tensors: 1, bytes: 40 });
  });
});
