/**
 * How long the tag rules and the cleanup plan take, on the demo project and
 * on a generated tree:
 *
 *   npx tsx server/cleanup/bench-plan.ts [--files 200000] [--runs 5]
 *
 * Prints medians of `--runs`: reading every reference of the project, the
 * tag rules over the whole index after a change (classification, the two
 * plans `optional` needs, summary totals), and `moderate` on its own.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../../bench/lib.js';
import { buildApp } from '../app.js';
import { generateDemoProject } from '../demo/generate.js';
import { readReferences } from '../refs/reader.js';
import { ScanService } from '../scan/scan-service.js';
import { plainConfig } from '../test-utils/plain-config.js';

const { values } = parseArgs({ options: { files: { type: 'string', default: '200000' }, runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** sessionS/runR/seedK with 30 intermediates and a final model; every tenth run inside a repro_ folder. */
function generate(root: string, n: number): void {
  let made = 0;
  for (let d = 0; made < n; d++) {
    const top = d % 10 === 0 ? `repro_${d}/session${d % 20}` : `session${d % 20}`;
    const dir = join(root, top, `seed${d}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 1; i <= 30 && made < n; i++, made++) closeSync(openSync(join(dir, `checkpoint_epoch${i}.pt`), 'w'));
    if (made < n) {
      closeSync(openSync(join(dir, 'final_model.pt'), 'w'));
      made++;
    }
  }
}

async function measure(label: string, project: string, demo: boolean): Promise<void> {
  const config = plainConfig(project, 'bench-token-0123456789', { demo });
  // An hour ahead: nothing generated just now counts as being written.
  const app = await buildApp(config, { token: 'bench-token-0123456789', now: () => Date.now() + 3_600_000 });
  await app.ready();
  await app.ckpt.scan.ready();
  await app.ckpt.models.idle();
  await app.ckpt.project.idle();
  const scan = app.ckpt.scan as ScanService;
  const refs: number[] = [];
  const rules: number[] = [];
  const moderate: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = process.hrtime.bigint();
    await readReferences({ project, root: config.root, exists: (p) => (scan.index?.lookup(p) ?? -1) >= 0, exclude: demo ? ['demo-manifest.json', config.stateDir] : [config.stateDir] });
    refs.push(ms(t));
    // A change the rules depend on (the config's): the next request redoes every rule.
    app.ckpt.tags.setRules(undefined, undefined);
    t = process.hrtime.bigint();
    app.ckpt.tags.snapshot();
    app.ckpt.tags.tagTotals();
    rules.push(ms(t));
    app.ckpt.tags.setRules(undefined, undefined);
    app.ckpt.tags.snapshot();
    t = process.hrtime.bigint();
    app.ckpt.tags.plan('moderate', { keepLast: r + 1 });
    moderate.push(ms(t));
  }
  const s = scan.summary();
  const plan = app.ckpt.tags.plan('moderate')!;
  console.log(
    `${label}: ${s.files.toLocaleString('en')} files, ${app.ckpt.models.summary().total.toLocaleString('en')} checkpoints; ` +
      `references ${median(refs).toFixed(1)} ms, all tags after a change ${median(rules).toFixed(1)} ms, ` +
      `moderate plan ${median(moderate).toFixed(1)} ms (${plan.items.length.toLocaleString('en')} items) — medians of ${runs}`,
  );
  await app.close();
}

const demoDir = mkdtempSync(join(tmpdir(), 'ckptdash-bench-plan-demo-'));
const bigDir = mkdtempSync(join(tmpdir(), 'ckptdash-bench-plan-big-'));
try {
  await generateDemoProject(demoDir);
  await measure('demo', demoDir, true);
  mkdirSync(join(bigDir, 'checkpoints'));
  mkdirSync(join(bigDir, 'configs'));
  writeFileSync(join(bigDir, 'configs', 'keep.json'), JSON.stringify({ models: ['checkpoints/session1/seed1/final_model.pt'] }));
  generate(join(bigDir, 'checkpoints'), Number(values.files));
  await measure(`${Number(values.files).toLocaleString('en')}-file tree`, bigDir, false);
} finally {
  rmSync(demoDir, { recursive: true, force: true });
  rmSync(bigDir, { recursive: true, force: true });
}
