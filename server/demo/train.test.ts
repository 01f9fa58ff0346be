import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTraining } from './train.js';
import { readEntry, readZip } from './test-utils/zip-reader.js';
import { crc32OfZeros } from './zero-crc.js';

const CLI = fileURLToPath(new URL('./train-cli.ts', import.meta.url));
const REPO = path.resolve(path.dirname(CLI), '..', '..');
let project: string;
beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), 'ckptdash-train-'));
  await mkdir(path.join(project, 'checkpoints'));
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

async function expectValidCheckpoint(file: string): Promise<void> {
  const zip = await readZip(file);
  expect(zip.entries[0].name).toBe(`${path.basename(file, '.pt')}/data.pkl`);
  for (const z of zip.entries) {
    if (/\/data\/\d+$/.test(z.name)) expect(z.crc32).toBe(crc32OfZeros(z.size));
    else expect(zlib.crc32(await readEntry(file, z))).toBe(z.crc32);
  }
}

const runDir = (run: string) => path.join(project, 'checkpoints', ...run.split('/'));

describe('training simulator', () => {
  it('appends valid checkpoints and rotation keeps the newest K', async () => {
    const lines: string[] = [];
    const result = await simulateTraining({ projectDir: project, count: 5, rotate: 2, everySeconds: 0.02, saveSeconds: 0.02, sizeMB: 3, log: (l) => lines.push(l) });
    expect(result.run).toBe('session20/run1');
    expect(result.written).toHaveLength(5);
    expect(result.deleted).toEqual(['session20/run1/checkpoint_epoch1.pt', 'session20/run1/checkpoint_epoch2.pt', 'session20/run1/checkpoint_epoch3.pt']);
    expect(lines).toHaveLength(5);
    expect((await readdir(runDir('session20/run1'))).sort()).toEqual(['checkpoint_epoch4.pt', 'checkpoint_epoch5.pt']);
    for (const name of ['checkpoint_epoch4.pt', 'checkpoint_epoch5.pt']) {
      const st = await stat(path.join(runDir('session20/run1'), name));
      expect(Math.abs(st.size - 3 * 2 ** 20)).toBeLessThan(16 * 1024);
      expect(st.blocks * 512).toBeLessThan(64 * 1024);
      await expectValidCheckpoint(path.join(runDir('session20/run1'), name));
    }
  });

  it('starts a new run by default and continues the epochs of an existing one', async () => {
    const fresh = await simulateTraining({ projectDir: project, count: 1, everySeconds: 0, saveSeconds: 0, sizeMB: 1 });
    expect(fresh.written).toEqual(['session20/run2/checkpoint_epoch1.pt']);
    const resumed = await simulateTraining({ projectDir: project, run: 'session20/run1', count: 1, everySeconds: 0, saveSeconds: 0, sizeMB: 1 });
    expect(resumed.written).toEqual(['session20/run1/checkpoint_epoch6.pt']);
  });

  it('grows each file over the save, and an abort finishes the save in progress', async () => {
    const controller = new AbortController();
    const file = path.join(runDir('growing/run'), 'checkpoint_epoch1.pt');
    const done = simulateTraining({ projectDir: project, run: 'growing/run', everySeconds: 10, saveSeconds: 1, sizeMB: 12, signal: controller.signal });
    const sizes: number[] = [];
    const deadline = Date.now() + 5000;
    while (sizes.length < 4 && Date.now() < deadline) {
      const size = await stat(file).then((s) => s.size, () => -1);
      if (size >= 0 && size !== sizes[sizes.length - 1]) sizes.push(size);
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    const result = await done;
    expect(result.written).toEqual(['growing/run/checkpoint_epoch1.pt']);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]);
    expect(sizes[0]).toBeLessThan((await stat(file)).size);
    await expectValidCheckpoint(file);
  });

  it('rejects a run path that leaves checkpoints/', async () => {
    await expect(simulateTraining({ projectDir: project, run: '../outside', count: 1 })).rejects.toThrow(/invalid run folder/);
  });
});

describe('demo:train command line', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8' });

  it('exits 2 with one line on a bad flag', () => {
    for (const args of [['--bogus'], ['--count', 'x'], ['--every', '-1'], ['--rotate', '0'], ['--run', '/abs'], ['--project', path.join(project, 'missing')]]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('prints one line per checkpoint and stops after --count', () => {
    const r = cli(['--project', project, '--run', 'cli/run', '--count', '2', '--every', '0.05', '--save-seconds', '0.05', '--size', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('saved cli/run/checkpoint_epoch'))).toHaveLength(2);
  });

  it('exits cleanly on SIGINT, leaving only complete checkpoints', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--project', project, '--run', 'sigint/run', '--every', '0.2', '--save-seconds', '0.3', '--size', '2'], { cwd: REPO });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('checkpoint_epoch2.pt')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped: \d+ checkpoints? written/);
    const names = await readdir(runDir('sigint/run'));
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const name of names) await expectValidCheckpoint(path.join(runDir('sigint/run'), name));
  });
});
