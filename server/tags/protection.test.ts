import { describe, expect, it } from 'vitest';
import { DAY, entryOf, HOUR, planOf, refsOf, rulesApp, tag } from './test-utils/rules.js';

const pin = (target: string, line = 3) => ({ target, file: 'configs/ens.json', line, key: 'models[0]', protects: true, missing: false });

describe('protection', () => {
  it('a pinned file protects itself and its folders (never deleted as a whole), not its siblings', async () => {
    const app = await rulesApp({
      'exp1_a/seed1/final_model.pt': { epoch: 50 },
      'exp1_a/seed1/checkpoint_epoch1.pt': { epoch: 1 },
      'exp1_a/seed2/final_model.pt': { epoch: 50 },
    });
    app.ckpt.tags.setReferences(refsOf([pin('exp1_a/seed1/final_model.pt')]));

    const model = await entryOf(app, 'exp1_a/seed1/final_model.pt');
    expect(model.protected).toBe(true);
    expect(model.tags).toEqual(expect.arrayContaining(['critical', 'referenced', 'final', 'ablation']));
    expect(model.protectedBy).toEqual(['configs/ens.json:3']);
    expect(model.references).toEqual([{ file: 'configs/ens.json', line: 3, key: 'models[0]', protects: true, missing: false }]);

    const folder = await entryOf(app, 'exp1_a');
    expect(folder.protected).toBe(true);
    expect(folder.protectedBy).toEqual(['contains exp1_a/seed1/final_model.pt']);
    expect((await entryOf(app, 'exp1_a/seed2/final_model.pt')).protected).toBe(false);

    // The ablation folder splits into its largest unprotected parts.
    const plan = await planOf(app, 'policy=moderate');
    expect(plan.items.map((i) => i.path).sort()).toEqual(['exp1_a/seed1/checkpoint_epoch1.pt', 'exp1_a/seed2']);
    expect(plan.kept).toEqual([expect.objectContaining({ path: 'exp1_a/seed1/final_model.pt', rule: 'protected: configs/ens.json:3' })]);
  });

  it('a pinned folder protects everything inside it', async () => {
    const app = await rulesApp({ 'debug_x/a.pt': { epoch: 1 }, 'debug_x/sub/b.pt': { epoch: 2 }, 'debug_y/c.pt': { epoch: 1 } });
    app.ckpt.tags.setReferences(refsOf([pin('debug_x')]));
    const inner = await entryOf(app, 'debug_x/sub/b.pt');
    expect(inner.protected).toBe(true);
    expect(inner.protectedBy).toEqual(['inside debug_x (configs/ens.json:3)']);
    expect((await planOf(app, 'policy=conservative')).items.map((i) => i.path)).toEqual(['debug_y']);
  });

  it('a shard set is protected as a whole through its index file', async () => {
    const app = await rulesApp({
      'run/final_model.pt': { epoch: 9 },
      'run/model-00001-of-00002.safetensors': { text: 'x' },
      'run/model-00002-of-00002.safetensors': { text: 'y' },
      'run/model.safetensors.index.json': { text: '{"weight_map":{}}' },
    });
    app.ckpt.tags.setReferences(refsOf([pin('run/model.safetensors.index.json')]));
    for (const p of ['run/model-00001-of-00002.safetensors', 'run/model-00002-of-00002.safetensors', 'run/model.safetensors.index.json']) {
      expect((await entryOf(app, p)).protected, p).toBe(true);
    }
    expect((await entryOf(app, 'run/final_model.pt')).protected).toBe(false);
  });

  it('the user tag historical on a folder protects what is inside; removing it unprotects', async () => {
    const app = await rulesApp({ 'repro_a/s1/final_model.pt': { epoch: 5 }, 'repro_a/s1/checkpoint_epoch1.pt': { epoch: 1 } });
    expect((await planOf(app, 'policy=moderate')).items.map((i) => i.path)).toEqual(['repro_a']);

    const res = await tag(app, { path: 'repro_a/s1', add: ['historical'] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ path: 'repro_a/s1', userTags: ['historical'], protected: true });
    expect(res.json().tags).toContain('historical');
    expect((await entryOf(app, 'repro_a/s1/checkpoint_epoch1.pt')).protectedBy).toEqual(['inside repro_a/s1 (tag historical)']);
    const plan = await planOf(app, 'policy=moderate');
    expect(plan.items).toEqual([]);
    expect(plan.kept?.map((k) => k.path)).toEqual(['repro_a/s1']);

    expect((await tag(app, { path: 'repro_a/s1', remove: ['historical'] })).json().protected).toBe(false);
    expect((await planOf(app, 'policy=moderate')).items.map((i) => i.path)).toEqual(['repro_a']);
  });
});

describe('resume points', () => {
  const run = (age: number, extra: Record<string, { epoch?: number; text?: string; ageMs?: number }> = {}) => ({
    'live/checkpoint_epoch1.pt': { epoch: 1, ageMs: age + 2 * HOUR },
    'live/checkpoint_epoch2.pt': { epoch: 2, ageMs: age },
    ...extra,
  });

  it('an unfinished run written a minute ago keeps its newest checkpoint', async () => {
    const app = await rulesApp(run(60_000));
    const newest = await entryOf(app, 'live/checkpoint_epoch2.pt');
    expect(newest.tags).toContain('resume');
    expect(newest.protectedBy).toEqual(['resume point of live']);
    expect((await entryOf(app, 'live/checkpoint_epoch1.pt')).protected).toBe(false);
  });

  it('a run that has a final model, or went quiet over a day ago, has no resume point', async () => {
    const finished = await rulesApp(run(60_000, { 'live/final_model.pt': { epoch: 3, ageMs: 30_000 } }));
    expect((await entryOf(finished, 'live/checkpoint_epoch2.pt')).protected).toBe(false);
    const stale = await rulesApp(run(2 * DAY));
    expect((await entryOf(stale, 'live/checkpoint_epoch2.pt')).protected).toBe(false);
  });

  it("Lightning's last.ckpt and DeepSpeed's latest are resume points of an active run", async () => {
    const app = await rulesApp({
      'pl/last.ckpt': { epoch: 7, ageMs: 2 * HOUR },
      'pl/epoch=9-step=90.ckpt': { epoch: 9, ageMs: 60_000 },
      'ds/global_step100/mp_rank_00_model_states.pt': { epoch: 1, ageMs: 3 * HOUR },
      'ds/global_step200/mp_rank_00_model_states.pt': { epoch: 2, ageMs: 60_000 },
      'ds/latest': { text: 'global_step100\n', ageMs: 60_000 },
    });
    expect((await entryOf(app, 'pl/last.ckpt')).tags).toContain('resume');
    expect((await entryOf(app, 'pl/epoch=9-step=90.ckpt')).tags).toContain('resume');
    expect((await entryOf(app, 'ds/global_step100')).protectedBy).toEqual(['resume point of ds']);
    expect((await entryOf(app, 'ds/global_step100/mp_rank_00_model_states.pt')).protected).toBe(true);
    expect((await entryOf(app, 'ds/global_step200')).tags).toContain('resume');
  });
});

describe('user tags', () => {
  it('refuses bad and automatic tags with a clear error, changing nothing', async () => {
    const app = await rulesApp({ 'run/final_model.pt': { epoch: 1 } });
    const bad = await tag(app, { path: 'run/final_model.pt', add: ['ok', 'no spaces'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error?.code).toBe('INVALID_TAG');
    const auto = await tag(app, { path: 'run/final_model.pt', remove: ['final'] });
    expect(auto.statusCode).toBe(400);
    expect(auto.json().error?.code).toBe('AUTOMATIC_TAG');
    expect(auto.json().error?.message).toMatch(/final.*computed/);
    const setAuto = await tag(app, { path: 'run/final_model.pt', add: ['optional'] });
    expect(setAuto.json().error?.code).toBe('INVALID_TAG');
    expect((await entryOf(app, 'run/final_model.pt')).userTags).toEqual([]);
    expect((await tag(app, { path: 'nope.pt', add: ['x'] })).statusCode).toBe(404);
    expect((await tag(app, { path: '../x', add: ['x'] })).statusCode).toBe(400);
  });

  it('free-form tags and a note persist across a restart, and removing one keeps the automatic tags', async () => {
    const files = { 'run/final_model.pt': { epoch: 1 } };
    const app = await rulesApp(files);
    const res = await tag(app, { path: 'run/final_model.pt', add: ['Baseline', 'paper-v2'], note: 'the one in the paper' });
    expect(res.json()).toMatchObject({ userTags: ['baseline', 'paper-v2'], note: 'the one in the paper', protected: false });
    const config = app.ckpt.config;
    await app.close();

    const { testApp } = await import('../test-utils/app.js');
    const again = await testApp(config);
    await again.ckpt.scan.ready();
    await again.ckpt.models.idle();
    const e = await entryOf(again, 'run/final_model.pt');
    expect(e).toMatchObject({ userTags: ['baseline', 'paper-v2'], note: 'the one in the paper' });
    expect(e.tags).toEqual(expect.arrayContaining(['final', 'baseline', 'paper-v2']));
    const after = (await tag(again, { path: 'run/final_model.pt', remove: ['baseline'], note: '' })).json();
    expect(after.userTags).toEqual(['paper-v2']);
    expect(after.note).toBeUndefined();
    expect(after.tags).toContain('final');
  });

  it('is refused in read-only mode', async () => {
    const app = await rulesApp({ 'run/final_model.pt': { epoch: 1 } }, { readOnly: true });
    const res = await tag(app, { path: 'run/final_model.pt', add: ['historical'] });
    expect(res.statusCode).toBe(403);
    expect((await entryOf(app, 'run/final_model.pt')).userTags).toEqual([]);
  });
});
