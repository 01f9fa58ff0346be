import { describe, expect, it } from 'vitest';
import type { Plan } from '../../shared/schemas/api.js';
import { HOUR, itemPaths, planOf, refsOf, rulesApp, type TreeFile } from '../tags/test-utils/rules.js';

/** A run of `n` intermediates with val_loss going down then up (best at epoch 3), and a final model unless told. */
function run(dir: string, n: number, final = true): Record<string, TreeFile> {
  const out: Record<string, TreeFile> = {};
  for (let e = 1; e <= n; e++) out[`${dir}/checkpoint_epoch${e}.pt`] = { epoch: e, metrics: { val_loss: Math.abs(e - 3) + 0.5 }, ageMs: (100 - e) * HOUR };
  if (final) out[`${dir}/final_model.pt`] = { epoch: n, metrics: { val_loss: 0.6 }, ageMs: 90 * HOUR };
  out[`${dir}/train.log`] = { text: 'loss\n', ageMs: 90 * HOUR };
  return out;
}

function sumItems(p: Plan): number {
  return p.items.reduce((s, i) => s + i.bytes, 0);
}

const TREE = {
  ...run('s1/seed1', 5),
  ...run('s1/unfinished', 4, false),
  ...run('repro_x/s1/seed1', 2),
  ...run('exp2_wide/seed1', 2),
  ...run('debug_runs/smoke', 2),
  'final_model.pt': { epoch: 1, ageMs: 200 * HOUR },
  'best_model_1.pt': { epoch: 1, ageMs: 200 * HOUR },
};

describe('the cleanup plan', () => {
  it('conservative: intermediates of finished runs, debug folders and stray root models', async () => {
    const app = await rulesApp(TREE);
    const plan = await planOf(app, 'policy=conservative');
    expect(itemPaths(plan)).toEqual(
      [
        'debug_runs',
        'final_model.pt',
        ...[1, 2, 3, 4, 5].map((e) => `s1/seed1/checkpoint_epoch${e}.pt`),
        // Conservative leaves experiment and ablation folders, not the intermediates of their finished runs.
        ...[1, 2].flatMap((e) => [`repro_x/s1/seed1/checkpoint_epoch${e}.pt`, `exp2_wide/seed1/checkpoint_epoch${e}.pt`]),
      ].sort(),
    );
    const inter = plan.items.find((i) => i.path === 's1/seed1/checkpoint_epoch2.pt')!;
    expect(inter).toMatchObject({ category: 'intermediate', kind: 'file', reason: 'intermediate checkpoint 2 of s1/seed1, which has final_model.pt' });
    expect(inter.rule).toBe('conservative: intermediate checkpoints of runs with a final model');
    expect(plan.items.find((i) => i.path === 'final_model.pt')).toMatchObject({ category: 'debug', reason: 'model file at the root that nothing references' });
    expect(plan.totals).toEqual({ count: plan.items.length, bytes: sumItems(plan), diskBytes: plan.items.reduce((s, i) => s + i.diskBytes, 0) });
    expect(plan.after.bytes).toBe(plan.before.bytes - plan.totals.bytes);
  });

  it('moderate adds experiment and ablation folders; folder items win over the items inside them', async () => {
    const app = await rulesApp(TREE);
    const plan = await planOf(app, 'policy=moderate');
    expect(itemPaths(plan)).toContain('repro_x');
    expect(itemPaths(plan)).toContain('exp2_wide');
    // Nothing inside a folder item is listed again.
    for (const a of plan.items) for (const b of plan.items) if (a !== b) expect(b.path.startsWith(`${a.path}/`), `${b.path} inside ${a.path}`).toBe(false);
    expect(plan.items.find((i) => i.path === 'repro_x')).toMatchObject({ category: 'experiment', kind: 'dir', files: 4 });
  });

  it('aggressive takes everything not protected, and a run without a final model keeps its newest checkpoint', async () => {
    const app = await rulesApp(TREE);
    app.ckpt.tags.setReferences(refsOf([{ target: 's1/seed1/final_model.pt', file: 'configs/a.yaml', line: 2, protects: true, missing: false }]));
    const plan = await planOf(app, 'policy=aggressive');
    const paths = itemPaths(plan);
    expect(paths).not.toContain('s1/seed1/final_model.pt');
    expect(paths).not.toContain('s1/unfinished/checkpoint_epoch4.pt');
    expect(paths).toEqual(expect.arrayContaining(['s1/unfinished/checkpoint_epoch1.pt', 's1/unfinished/train.log', 'best_model_1.pt', 'repro_x']));
    expect(plan.kept).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 's1/seed1/final_model.pt' }),
        expect.objectContaining({ path: 's1/unfinished/checkpoint_epoch4.pt', rule: 'the newest checkpoint of a run without a final model is kept' }),
      ]),
    );
    expect(plan.after.bytes).toBe(plan.before.bytes - sumItems(plan));
  });

  it('retention keeps the last N and the best K by the inferred metric', async () => {
    const app = await rulesApp(TREE);
    const keep = (p: Plan) => ['1', '2', '3', '4', '5'].filter((e) => !itemPaths(p).includes(`s1/seed1/checkpoint_epoch${e}.pt`));
    expect(keep(await planOf(app, 'policy=conservative&keepLast=2'))).toEqual(['4', '5']);
    const best = await planOf(app, 'policy=conservative&keepBest=1');
    expect(keep(best)).toEqual(['3']);
    expect(best.kept).toContainEqual(expect.objectContaining({ path: 's1/seed1/checkpoint_epoch3.pt', rule: 'retention: keep best 1 by val_loss (lower is better)' }));
    expect(keep(await planOf(app, 'policy=conservative&keepBest=1&metric=val_loss&direction=max'))).toEqual(['5']);
    expect(keep(await planOf(app, 'policy=conservative&keepLast=1&keepBest=1'))).toEqual(['3', '5']);
  });

  it('retention defaults come from the project config', async () => {
    const app = await rulesApp(TREE, { settings: { retention: { keepLast: 1 } } });
    const plan = await planOf(app, 'policy=conservative');
    expect(itemPaths(plan)).not.toContain('s1/seed1/checkpoint_epoch5.pt');
    expect(plan.retention).toEqual({ keepLast: 1, keepBest: 0 });
  });

  it('an experiment folder holding a protected model becomes its largest unprotected parts', async () => {
    const app = await rulesApp(TREE);
    app.ckpt.tags.setReferences(refsOf([{ target: 'repro_x/s1/seed1/final_model.pt', file: 'configs/a.json', line: 7, protects: true, missing: false }]));
    const plan = await planOf(app, 'policy=moderate');
    const inside = itemPaths(plan).filter((p) => p.startsWith('repro_x'));
    expect(inside).toEqual(['repro_x/s1/seed1/checkpoint_epoch1.pt', 'repro_x/s1/seed1/checkpoint_epoch2.pt', 'repro_x/s1/seed1/train.log']);
    expect(plan.items.find((i) => i.path === 'repro_x/s1/seed1/train.log')).toMatchObject({ category: 'experiment' });
    expect(plan.after.bytes).toBe(plan.before.bytes - sumItems(plan));
  });

  it('warns about script references, hard links and fresh writes', async () => {
    const app = await rulesApp({ ...run('debug_a', 1), 'debug_b/final_model.pt': { epoch: 1, ageMs: 5 * 60_000 } });
    app.ckpt.tags.setReferences(refsOf([{ target: 'debug_a/final_model.pt', file: 'scripts/eval.sh', line: 4, protects: false, missing: false }]));
    const plan = await planOf(app, 'policy=conservative');
    expect(plan.items.find((i) => i.path === 'debug_a')!.warnings).toContain('referenced by scripts/eval.sh:4 (a script: it will point at nothing)');
    expect(plan.items.find((i) => i.path === 'debug_b')!.warnings).toEqual([expect.stringMatching(/^written \d+ min ago$/)]);
  });

  it('refuses an unknown policy', async () => {
    const app = await rulesApp({ 'a.pt': { epoch: 1 } });
    const { auth } = await import('../test-utils/app.js');
    const res = await app.inject({ url: '/api/plan?policy=reckless', headers: { host: 'localhost', ...auth } });
    expect(res.statusCode).toBe(400);
  });
});

describe('permission warnings', () => {
  it('warns when this user cannot delete an item (its folder is not writable)', async () => {
    const { chmodSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const { tempDir } = await import('../test-utils/temp.js');
    const top = tempDir();
    chmodSync(top, 0o755);
    for (const d of ['locked/debug_a', 'debug_b']) mkdirSync(join(top, d), { recursive: true, mode: 0o755 });
    writeFileSync(join(top, 'locked/debug_a/x.pt'), 'x');
    chmodSync(join(top, 'locked'), 0o555);
    try {
      const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
      const asRoot = process.getuid?.() === 0;
      // root may delete anything: the check runs as "nobody", as a user without that power.
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'server/cleanup/test-utils/permission-cli.ts'), top, 'locked/debug_a', 'debug_b'], {
        cwd: repo,
        encoding: 'utf8',
        timeout: 30_000,
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      expect(r.status, r.stderr).toBe(0);
      const warnings = JSON.parse(r.stdout);
      expect(warnings['locked/debug_a']).toEqual(['its folder is not writable by this user: deletion will fail']);
      // The top folder belongs to root (0755): "nobody" cannot remove anything from it either.
      expect(warnings.debug_b).toEqual(asRoot ? ['its folder is not writable by this user: deletion will fail'] : []);
    } finally {
      chmodSync(join(top, 'locked'), 0o755);
    }
  });
});
