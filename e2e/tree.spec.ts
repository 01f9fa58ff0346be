import { expect, test, type Page } from '@playwright/test';
import { serveTree, writeFile, writeManyFiles } from './fixtures.js';

const GB = 2 ** 30;
const MANY = 100_000;

const served = serveTree((root) => {
  // Sizes chosen so size order and name order differ: big_run is largest, alpha_run smallest.
  for (let epoch = 1; epoch <= 12; epoch++) writeFile(root, `big_run/checkpoint_epoch${epoch}.pt`, 3 * GB + epoch);
  writeFile(root, 'big_run/final_model.pt', 2 * GB);
  writeFile(root, 'alpha_run/best_model.pt', 1_000_000);
  writeFile(root, 'debug_scratch/model.pt', 500e6);
  writeFile(root, 'stray_final.pt', 20 * GB);
  writeManyFiles(root, 'many', MANY);
});

async function openTree(page: Page) {
  await page.goto(served.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
  await expect(tree.getByRole('row', { name: 'big_run', exact: true })).toBeVisible();
  return tree;
}

/** Names of the rendered entry rows, top to bottom. */
async function rowNames(page: Page): Promise<string[]> {
  return page
    .getByRole('treegrid')
    .getByRole('row')
    .evaluateAll((rows) =>
      rows
        .filter((r) => r.hasAttribute('aria-label'))
        .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
        .map((r) => r.getAttribute('aria-label')!),
    );
}

test('expands and collapses a folder', async ({ page }) => {
  const tree = await openTree(page);
  const run = tree.getByRole('row', { name: 'big_run', exact: true });
  await expect(run).toHaveAttribute('aria-expanded', 'false');
  await run.click();
  await expect(run).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(run).toHaveAttribute('aria-expanded', 'true');
  const child = tree.getByRole('row', { name: 'final_model.pt', exact: true });
  await expect(child).toBeVisible();
  await expect(child).toHaveAttribute('aria-level', '2');

  await page.keyboard.press('ArrowLeft');
  await expect(run).toHaveAttribute('aria-expanded', 'false');
  await expect(child).toHaveCount(0);
});

test('sorts by name in natural order and by size both ways', async ({ page }) => {
  const tree = await openTree(page);
  // Default: size, largest first.
  expect((await rowNames(page)).slice(0, 2)).toEqual(['big_run', 'stray_final.pt']);
  await expect(tree.getByRole('columnheader', { name: 'Size' })).toHaveAttribute('aria-sort', 'descending');

  await tree.getByRole('row', { name: 'big_run', exact: true }).dblclick();
  await tree.getByRole('button', { name: 'Name' }).click();
  await expect(tree.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(async () => (await rowNames(page))[0]).toBe('alpha_run');
  // The open folder's rows come in their own page request, which can land after the top level's.
  await expect.poll(async () => (await rowNames(page)).includes('checkpoint_epoch9.pt')).toBe(true);
  const names = await rowNames(page);
  expect(names.indexOf('checkpoint_epoch9.pt')).toBeLessThan(names.indexOf('checkpoint_epoch10.pt'));
  expect(names.indexOf('checkpoint_epoch2.pt')).toBeLessThan(names.indexOf('checkpoint_epoch11.pt'));

  await tree.getByRole('button', { name: 'Size' }).click();
  await expect.poll(async () => (await rowNames(page))[0]).toBe('big_run');
  await tree.getByRole('button', { name: 'Size' }).click();
  await expect(tree.getByRole('columnheader', { name: 'Size' })).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(async () => (await rowNames(page))[0]).toBe('many');
});

test('searches by name', async ({ page }) => {
  const tree = await openTree(page);
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Search by name' })).toBeFocused();
  await page.keyboard.type('debug');
  await expect(tree.getByRole('row', { name: 'big_run', exact: true })).toHaveCount(0);
  await expect(tree.getByRole('row', { name: 'debug_scratch', exact: true })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(tree.getByRole('row', { name: 'big_run', exact: true })).toBeVisible();
});

test('shows the details of the selected entry', async ({ page }) => {
  const tree = await openTree(page);
  await tree.getByRole('row', { name: 'stray_final.pt', exact: true }).click();
  const details = page.getByRole('complementary', { name: 'Details' });
  await expect(details.getByRole('heading', { name: 'stray_final.pt' })).toBeVisible();
  await expect(details.getByText('20.0 GiB')).toBeVisible();
  await expect(details.getByText('File', { exact: true })).toBeVisible();

  await page.keyboard.press('ArrowUp');
  await expect(details.getByRole('heading', { name: 'big_run' })).toBeVisible();
  await expect(details.getByText('Folder', { exact: true })).toBeVisible();
});

test('a folder with 100,000 children renders a window of rows and scrolls to the end', async ({ page }) => {
  const tree = await openTree(page);
  await tree.getByRole('button', { name: 'Name' }).click();
  const many = tree.getByRole('row', { name: 'many', exact: true });
  await many.click();
  await page.keyboard.press('ArrowRight');
  await expect(many).toHaveAttribute('aria-expanded', 'true');
  await expect(tree.getByRole('row', { name: 'file_1.bin', exact: true })).toBeVisible();

  // Scroll the way a wheel or scrollbar drag would; rows load page by page as they come into view.
  await tree.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
  await expect(tree.getByRole('row', { name: /^file_5\d{4}\.bin$/ }).first()).toBeVisible();
  await tree.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(tree.getByRole('row', { name: `file_${MANY}.bin`, exact: true })).toBeVisible();
  expect(await tree.getByRole('row').count()).toBeLessThan(200);

  // Home goes back to the top with the keyboard.
  await tree.getByRole('row', { name: `file_${MANY}.bin`, exact: true }).click();
  await page.keyboard.press('Home');
  await expect(tree.getByRole('row', { name: 'alpha_run', exact: true })).toHaveAttribute('aria-selected', 'true');
});

test('PageDown and End move the selection onto rows whose pages load on the way', async ({ page }) => {
  const tree = await openTree(page);
  await tree.getByRole('button', { name: 'Name' }).click();
  const many = tree.getByRole('row', { name: 'many', exact: true });
  await many.click();
  await page.keyboard.press('ArrowRight');
  await tree.getByRole('row', { name: 'file_1.bin', exact: true }).click();

  // Far enough to leave the folder's first page, whatever its size: each step loads what it lands on.
  const perPage = await tree.evaluate((el) => Math.max(1, Math.floor(el.clientHeight / 30) - 2));
  const presses = Math.ceil(1000 / perPage);
  for (let i = 0; i < presses; i++) await page.keyboard.press('PageDown');
  await expect(tree.getByRole('row', { name: `file_${presses * perPage + 1}.bin`, exact: true })).toHaveAttribute('aria-selected', 'true');

  // End is the last row of the grid; one up from it is the last child of the open folder.
  await page.keyboard.press('End');
  await expect(tree.getByRole('row', { name: 'stray_final.pt', exact: true })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowUp');
  await expect(tree.getByRole('row', { name: `file_${MANY}.bin`, exact: true })).toHaveAttribute('aria-selected', 'true');
});
