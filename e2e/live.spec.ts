import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { serveTree, writeFile } from './fixtures.js';

const GiB = 2 ** 30;

const served = serveTree((root) => {
  writeFile(root, 'alpha_run/best_model.pt', GiB);
  writeFile(root, 'beta_run/final_model.pt', 2 * GiB);
});

test('a checkpoint written or deleted while the page is open shows without a reload', async ({ page }) => {
  await page.goto(served.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
  const run = tree.getByRole('row', { name: 'alpha_run', exact: true });
  await run.click();
  await page.keyboard.press('ArrowRight');
  await expect(tree.getByRole('row', { name: 'best_model.pt', exact: true })).toBeVisible();

  writeFile(served.root, 'alpha_run/checkpoint_epoch1.pt', 7 * GiB);
  await expect(tree.getByRole('row', { name: 'checkpoint_epoch1.pt', exact: true })).toBeVisible();
  // The folder's own row is patched in place with its new total.
  await expect(run.getByRole('gridcell').nth(1)).toHaveText('8.0 GiB');

  rmSync(`${served.root}/alpha_run/checkpoint_epoch1.pt`);
  await expect(tree.getByRole('row', { name: 'checkpoint_epoch1.pt', exact: true })).toHaveCount(0);
  await expect(run.getByRole('gridcell').nth(1)).toHaveText('1.0 GiB');
});
