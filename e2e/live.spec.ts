import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { makeTempDir, startServer, writeFile, type RunningServer } from './fixtures.js';

const GiB = 2 ** 30;

let server: RunningServer;
let tmp: ReturnType<typeof makeTempDir>;
let root: string;

test.beforeAll(async () => {
  tmp = makeTempDir();
  root = `${tmp.dir}/checkpoints`;
  writeFile(root, 'alpha_run/best_model.pt', GiB);
  writeFile(root, 'beta_run/final_model.pt', 2 * GiB);
  server = await startServer({ checkpoints: root, state: `${tmp.dir}/state` });
});

test.afterAll(async () => {
  await server?.stop();
  tmp?.remove();
});

test('a checkpoint written or deleted while the page is open shows without a reload', async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
  const run = tree.getByRole('row', { name: 'alpha_run', exact: true });
  await run.click();
  await page.keyboard.press('ArrowRight');
  await expect(tree.getByRole('row', { name: 'best_model.pt', exact: true })).toBeVisible();

  writeFile(root, 'alpha_run/checkpoint_epoch1.pt', 7 * GiB);
  await expect(tree.getByRole('row', { name: 'checkpoint_epoch1.pt', exact: true })).toBeVisible();
  // The folder's own row is patched in place with its new total.
  await expect(run.getByRole('gridcell').nth(1)).toHaveText('8.0 GiB');

  rmSync(`${root}/alpha_run/checkpoint_epoch1.pt`);
  await expect(tree.getByRole('row', { name: 'checkpoint_epoch1.pt', exact: true })).toHaveCount(0);
  await expect(run.getByRole('gridcell').nth(1)).toHaveText('1.0 GiB');
});
