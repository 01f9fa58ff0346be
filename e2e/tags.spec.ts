import { expect, test, type Locator, type Page } from '@playwright/test';
import { CRITICAL, HISTORICAL } from '../server/demo/demo-plan.js';
import { serveDemo } from './fixtures.js';

// User tags and notes on the demo project, through the details panes of the Tree and Models pages. The tests share
// one server; each one removes the tags and notes it adds, so they can run in any order and again.

const demo = serveDemo({ prefix: 'ckptdash-tags-', timeoutMs: 180_000 });

/** session13/seed789/final_model.pt: the report kept it for history; nothing pins it. */
const KEPT = HISTORICAL[1].path;
/** session10/ensemble/seed456/final_model.pt: the other one kept for history. */
const OTHER = HISTORICAL[0].path;

test.describe.configure({ timeout: 180_000 });

async function openTree(page: Page): Promise<Locator> {
  await page.goto(demo.server.url);
  // References and automatic tags are complete once the first scan is.
  await expect(page.getByText(/^Scan complete/)).toBeVisible({ timeout: 120_000 });
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  return page.getByRole('treegrid', { name: 'Checkpoints tree' });
}

/** Opens the folders down to `path` and selects it; Z-to-A name order keeps each step near the top of its folder. */
async function selectInTree(page: Page, path: string): Promise<Locator> {
  const tree = page.getByRole('treegrid', { name: 'Checkpoints tree' });
  const name = tree.getByRole('columnheader', { name: 'Name' });
  await name.getByRole('button').click();
  await expect(name).toHaveAttribute('aria-sort', 'ascending');
  await name.getByRole('button').click();
  await expect(name).toHaveAttribute('aria-sort', 'descending');
  const parts = path.split('/');
  let row = tree.getByRole('row', { name: parts[0], exact: true, level: 1 });
  for (let i = 0; i < parts.length; i++) {
    row = tree.getByRole('row', { name: parts[i], exact: true, level: i + 1 });
    await row.click();
    await expect(row).toHaveAttribute('aria-selected', 'true');
    if (i < parts.length - 1) {
      await page.keyboard.press('ArrowRight');
      await expect(row).toHaveAttribute('aria-expanded', 'true');
    }
  }
  await expect(page.getByRole('complementary', { name: 'Details' }).getByText(path, { exact: true })).toBeVisible();
  return row;
}

/** Names of the rendered tree rows (a filtered listing names them with their folder). */
function rowNames(tree: Locator): Promise<string[]> {
  return tree.locator('[role="row"][aria-label]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

test('a model marked historical stays tagged and protected after a reload, with its note', async ({ page }) => {
  await openTree(page);
  const row = await selectInTree(page, KEPT);
  const pane = page.getByRole('complementary', { name: 'Details' });
  await expect(pane.getByRole('region', { name: 'Protection' })).toHaveCount(0);

  await pane.getByRole('button', { name: 'Mark historical' }).click();
  const tags = pane.getByRole('list', { name: 'Tags' });
  await expect(tags.getByRole('button', { name: 'Remove tag historical' })).toBeVisible();
  await expect(pane.getByRole('button', { name: 'Unmark historical' })).toBeVisible();
  await expect(pane.getByRole('region', { name: 'Protection' })).toContainText('Protected');
  await expect(pane.getByRole('list', { name: 'Protected by' })).toContainText('tag historical');
  await expect(row.getByRole('img', { name: 'Protected' })).toBeVisible();

  const note = pane.getByRole('textbox', { name: 'Note' });
  await note.fill('Member of the superseded 3.71 px ensemble');
  await note.press('Control+Enter');
  await expect(pane.getByRole('status')).toHaveText('Note saved');

  await page.reload();
  const again = await selectInTree(page, KEPT);
  await expect(pane.getByRole('list', { name: 'Tags' }).getByRole('button', { name: 'Remove tag historical' })).toBeVisible();
  await expect(pane.getByRole('region', { name: 'Protection' })).toContainText('Protected');
  await expect(pane.getByRole('list', { name: 'Protected by' }).getByRole('listitem').filter({ hasText: 'tag historical' })).toHaveCount(1);
  await expect(pane.getByRole('textbox', { name: 'Note' })).toHaveValue('Member of the superseded 3.71 px ensemble');
  await expect(again.getByRole('img', { name: 'Protected' })).toBeVisible();

  // Unmarked and with the note emptied, the model is as the demo made it.
  await pane.getByRole('button', { name: 'Unmark historical' }).click();
  await expect(pane.getByRole('button', { name: 'Mark historical' })).toBeVisible();
  await expect(pane.getByRole('region', { name: 'Protection' })).toHaveCount(0);
  await expect(again.getByRole('img', { name: 'Protected' })).toHaveCount(0);
  await pane.getByRole('textbox', { name: 'Note' }).fill('');
  await pane.getByRole('button', { name: 'Save note' }).click();
  await expect(pane.getByRole('status')).toHaveText('Note cleared');
});

test('the critical filter lists the four models of configs/ensemble_best.json, each with its line', async ({ page }) => {
  const tree = await openTree(page);
  await page.getByRole('combobox', { name: 'Filter by tag' }).selectOption('critical');
  const expected = CRITICAL.map((m) => m.path);
  await expect.poll(async () => (await rowNames(tree)).sort()).toEqual([...expected].sort());

  const pane = page.getByRole('complementary', { name: 'Details' });
  for (const [i, path] of expected.entries()) {
    // The models array starts on line 7 of the pretty-printed config.
    const line = `configs/ensemble_best.json:${7 + i}`;
    const row = tree.getByRole('row', { name: path, exact: true });
    await row.click();
    await expect(pane.getByText(path, { exact: true })).toBeVisible();
    await expect(row.getByRole('img', { name: 'Protected' })).toBeVisible();
    await expect(pane.getByRole('list', { name: 'Protected by' }).getByRole('listitem').filter({ hasText: line })).toHaveCount(1);
    const reference = pane.getByRole('list', { name: 'References' }).getByRole('listitem').filter({ hasText: line });
    await expect(reference).toContainText('protects');
    // `critical` here is computed from the config: it has no remove button.
    await expect(pane.getByRole('list', { name: 'Tags' }).getByText('critical', { exact: true })).toBeVisible();
    await expect(pane.getByRole('button', { name: 'Remove tag critical' })).toHaveCount(0);
  }
});

test('free-form tags are added with t and Enter, refused with the reason, and removed; computed tags cannot be', async ({ page }) => {
  const tree = await openTree(page);
  await selectInTree(page, OTHER);
  const pane = page.getByRole('complementary', { name: 'Details' });
  const tags = pane.getByRole('list', { name: 'Tags' });
  const input = pane.getByRole('textbox', { name: 'New tag' });

  await page.keyboard.press('t');
  await expect(input).toBeFocused();
  await page.keyboard.type('bad!tag');
  await page.keyboard.press('Enter');
  await expect(pane.getByRole('alert')).toHaveText(/\S/);
  await expect(input).toHaveValue('bad!tag');
  await expect(tags.getByText('bad!tag', { exact: true })).toHaveCount(0);

  // The server lowercases a tag.
  await input.fill('Paper-V2');
  await input.press('Enter');
  await expect(tags.getByRole('button', { name: 'Remove tag paper-v2' })).toBeVisible();
  await expect(input).toHaveValue('');
  await expect(pane.getByRole('alert')).toHaveCount(0);
  // Escape in the empty input hands the keyboard back to the tree.
  await input.press('Escape');
  await expect(tree).toBeFocused();

  await tags.getByRole('button', { name: 'Remove tag paper-v2' }).click();
  await expect(tags.getByText('paper-v2', { exact: true })).toHaveCount(0);
  await expect(input).toBeFocused();

  // `final` is computed: no button offers to remove it, and the server refuses to.
  await expect(tags.getByText('final', { exact: true })).toBeVisible();
  await expect(pane.getByRole('button', { name: 'Remove tag final' })).toHaveCount(0);
  const refused = await page.request.post(`${demo.server.origin}/api/tags`, {
    headers: { Authorization: `Bearer ${demo.server.token}` },
    data: { path: OTHER, remove: ['final'] },
  });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error.code).toBe('AUTOMATIC_TAG');
  await expect(tags.getByText('final', { exact: true })).toBeVisible();
});

test('on the Models page a user tag filters the table and protects the row', async ({ page }) => {
  await page.goto(demo.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('status', { name: 'Models progress' })).toHaveText(/^[\d,]+ checkpoints$/, { timeout: 120_000 });
  const grid = page.getByRole('grid', { name: 'Checkpoints' });
  await page.getByRole('searchbox', { name: 'Filter by path' }).fill(OTHER);
  const row = grid.getByRole('row', { name: OTHER, exact: true });
  await row.click();
  await expect(row.getByRole('img', { name: 'Protected' })).toHaveCount(0);

  const pane = page.getByRole('complementary', { name: 'Model details' });
  await page.keyboard.press('t');
  await expect(pane.getByRole('textbox', { name: 'New tag' })).toBeFocused();
  await pane.getByRole('button', { name: 'Mark historical' }).click();
  await expect(pane.getByRole('list', { name: 'Protected by' })).toContainText('tag historical');
  await expect(row.getByRole('img', { name: 'Protected' })).toBeVisible();

  await page.getByRole('searchbox', { name: 'Filter by path' }).fill('');
  await page.getByRole('combobox', { name: 'Tag', exact: true }).selectOption('historical');
  await expect(row).toBeVisible();
  await expect(row.getByText('historical', { exact: true })).toBeVisible();

  await pane.getByRole('button', { name: 'Unmark historical' }).click();
  await expect(pane.getByRole('button', { name: 'Mark historical' })).toBeVisible();
  await expect(row).toHaveCount(0);
});
