import { expect, test } from '@playwright/test';
import { serveTree, writeFile } from './fixtures.js';

const MB = 2 ** 20;
const DAY = 86_400_000;

const served = serveTree((root) => {
  // Same size and same (zero) content: identical copies. The third has another size.
  writeFile(root, 'run_a/final_model.pt', 8 * MB, DAY);
  writeFile(root, 'run_b/final_model.pt', 8 * MB, DAY);
  writeFile(root, 'run_c/final_model.pt', 9 * MB, DAY);
});

test('Find duplicates groups identical model files, and each lists its twin', async ({ page }) => {
  await page.goto(served.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'Find duplicates' }).click();
  await expect(page.getByText('2 files in 1 groups of identical copies; 8.0 MiB held twice.')).toBeVisible({ timeout: 30_000 });

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
  await page.getByLabel('Filter by tag').selectOption('duplicate');
  const row = tree.getByRole('row', { name: 'run_a/final_model.pt', exact: true });
  await row.click();
  const copies = page.getByRole('list', { name: 'Identical copies' });
  await expect(copies).toContainText('run_b/final_model.pt');
  await expect(tree.getByRole('row', { name: 'run_c/final_model.pt', exact: true })).toHaveCount(0);
});
