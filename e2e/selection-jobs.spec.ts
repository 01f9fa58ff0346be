import { expect, test } from '@playwright/test';
import { serveTree, writeFile } from './fixtures.js';

const DAY = 86_400_000;

const served = serveTree((root) => {
  writeFile(root, 'run_a/final_model.pt', 4096, DAY);
  writeFile(root, 'run_a/best_model.pt', 2048, DAY);
  writeFile(root, 'run_b/final_model.pt', 1024, DAY);
});

test('a selection from the tree is backed up and shows on the Backups page', async ({ page, request }) => {
  await page.goto(served.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
  await tree.getByRole('row', { name: 'run_a', exact: true }).click();
  const details = page.getByRole('complementary', { name: 'Details' });
  await details.getByRole('button', { name: 'Back up', exact: true }).click();
  await expect(details.getByText('Backed up: see Backups.')).toBeVisible({ timeout: 30_000 });

  const list = await request.get(`${served.server.origin}/api/backups`, { headers: { Authorization: `Bearer ${served.server.token}` } });
  const items = (await list.json()).items as { name: string; files: { path: string }[] }[];
  expect(items).toHaveLength(1);
  expect(items[0].files.map((f) => f.path).sort()).toEqual(['run_a/best_model.pt', 'run_a/final_model.pt']);

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Backups' }).click();
  await expect(page.getByText(items[0].name)).toBeVisible();
});
