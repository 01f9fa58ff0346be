import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { serveDemo } from './fixtures.js';

// The demo served while `npm run demo:train` writes into it, as a user would watch a training run.

const served = serveDemo({ timeoutMs: 120_000 });
const TRAIN_CLI = resolve('server/demo/train-cli.ts');
const RUN = 'session20/run1';

let trainer: ChildProcess | undefined;
let trainerOutput = '';

/** The simulator the way `npm run demo:train` runs it, against the served demo. */
function startTraining(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', TRAIN_CLI, '--run', RUN, ...args], {
    env: { ...process.env, CKPTDASH_DEMO_DIR: served.root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Drained so it never blocks on a full pipe; kept for a failure's message.
  const keep = (chunk: Buffer) => (trainerOutput = (trainerOutput + chunk.toString()).slice(-8192));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

test.describe.configure({ mode: 'serial' });

// One page for both tests: the second looks at what the first left open, without a reload.
let page: Page;
let settled: string | undefined;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page?.close();
  const child = trainer;
  trainer = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  // SIGTERM makes the simulator finish its save and stop; only this child is touched.
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
});

test('a training run shows live: totals and chart move, a new checkpoint is writing, then settles', async ({ request }) => {
  test.setTimeout(90_000);
  await page.goto(served.server.url);
  await expect(page.getByText(/^Scan complete/)).toBeVisible({ timeout: 60_000 });
  // Set once; still there at the end only if the page was never reloaded.
  await page.evaluate(() => Object.assign(window, { sameDocument: true }));

  const folderCard = page.getByRole('region', { name: 'Checkpoints folder' });
  const cardBefore = await folderCard.innerText();
  const usage = page.getByRole('region', { name: 'Disk usage over time' });
  const latest = usage.getByText(/^Latest sample/);
  const latestBytes = async () => /checkpoints folder ([\d.]+ \w+)/.exec(await latest.innerText())?.[1];
  const chartBefore = await latestBytes();
  expect(chartBefore).toBeDefined();

  // Four sparse 512 MiB saves, 3 s apart, each taking 1.5 s: about 11 s of training.
  trainer = startTraining(['--every', '3', '--count', '4', '--size', '512', '--save-seconds', '1.5']);

  await expect(folderCard, trainerOutput).not.toHaveText(cardBefore, { timeout: 15_000 });
  // The chart follows: a newer sample with another total, and enough samples to draw.
  await expect.poll(latestBytes, { timeout: 20_000 }).not.toBe(chartBefore);
  await expect(usage.getByRole('figure', { name: 'Disk usage over time' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
  // Newest first: the run being written is at the top whatever the size of the rest.
  const byDate = tree.getByRole('columnheader', { name: 'Modified' });
  await tree.getByRole('button', { name: 'Modified' }).click();
  if ((await byDate.getAttribute('aria-sort')) !== 'descending') await tree.getByRole('button', { name: 'Modified' }).click();
  await expect(byDate).toHaveAttribute('aria-sort', 'descending');
  for (const folder of RUN.split('/')) {
    const row = tree.getByRole('row', { name: folder, exact: true });
    await row.click();
    await page.keyboard.press('ArrowRight');
    await expect(row).toHaveAttribute('aria-expanded', 'true');
  }

  // The save in progress (or just finished) carries the writing tag.
  const checkpoints = tree.getByRole('row', { name: /^checkpoint_epoch\d+\.pt$/ });
  const writing = checkpoints.filter({ has: page.getByText('writing', { exact: true }) });
  await expect(writing.first(), trainerOutput).toBeVisible({ timeout: 15_000 });
  const name = (await writing.first().getAttribute('aria-label'))!;

  // 10 s after its last change the file is settled; the models service looks again at about 11 s
  // (and once more if that look came a moment too early).
  const tagsOf = async () => {
    const res = await request.get(`${served.server.origin}/api/tree?path=${encodeURIComponent(RUN)}`, {
      headers: { Authorization: `Bearer ${served.server.token}` },
    });
    const { entries } = (await res.json()) as { entries: { name: string; tags: string[] }[] };
    return entries.find((e) => e.name === name)?.tags;
  };
  await expect.poll(tagsOf, { timeout: 25_000 }).not.toContain('writing');
  settled = name;
  expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
});

test('the open page drops the writing tag once the file settles', async () => {
  // The server settles the file (above) and announces the entry again: no reload needed.
  expect(settled).toBeDefined();
  const row = page.getByRole('treegrid', { name: 'Checkpoints tree' }).getByRole('row', { name: settled, exact: true });
  await expect(row).toBeVisible();
  await expect(row.getByText('writing', { exact: true })).toHaveCount(0, { timeout: 3_000 });
});
