import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { formatBytes, formatCount } from '../shared/format.js';
import type { EntryDetails, Plan } from '../shared/schemas/index.js';
import { CRITICAL } from '../server/demo/demo-plan.js';
import { serveDemo } from './fixtures.js';

// Approving deletions on a demo of this file's own (serveDemo generates one per spec file), so what is deleted here
// is missing from no other spec. The tests share it and each reads the item it acts on from the page, so none
// depends on what another one deleted.

const demo = serveDemo({ prefix: 'ckptdash-approve-', timeoutMs: 180_000 });
test.describe.configure({ timeout: 120_000 });

function onDisk(path: string): boolean {
  return existsSync(join(demo.root, 'checkpoints', path));
}

function auth() {
  return { Authorization: `Bearer ${demo.server.token}` };
}

async function getJson<T>(request: APIRequestContext, path: string, params?: Record<string, string>): Promise<T> {
  const res = await request.get(`${demo.server.origin}${path}`, { params, headers: auth() });
  expect(res.status(), path).toBe(200);
  return (await res.json()) as T;
}

async function setTag(request: APIRequestContext, path: string, change: { add?: string[]; remove?: string[] }) {
  const res = await request.post(`${demo.server.origin}/api/tags`, { data: { path, ...change }, headers: auth() });
  expect(res.status()).toBe(200);
}

/** The Cleanup page with the moderate plan loaded and nothing left to wait for. */
async function openCleanup(page: Page) {
  await page.goto(demo.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Cleanup' }).click();
  await expect(page.getByRole('region', { name: 'Projection' })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole('radiogroup', { name: 'Policy' }).getByRole('radio', { name: 'Moderate' })).toBeChecked();
  await expect(page.getByRole('button', { name: 'Review and delete…' })).toBeEnabled();
}

function card(page: Page, label: string): Locator {
  return page.getByRole('list', { name: 'By category' }).getByRole('listitem', { name: label, exact: true });
}

function queueDialog(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Review and delete' });
  return { dialog, path: dialog.getByRole('heading', { level: 3 }), freed: dialog.getByRole('status', { name: 'Freed so far' }) };
}

test('the queue: s skips, a deletes from disk and the freed total grows, h tags historical and the item leaves the plan', async ({
  page,
  request,
}) => {
  await openCleanup(page);
  const review = page.getByRole('button', { name: 'Review and delete…' });
  await review.click();
  const { dialog, path, freed } = queueDialog(page);
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(/Item 1 of [\d,]+/);
  await expect(freed).toHaveText('Nothing deleted yet');
  // Every key is written on its button.
  for (const [name, key] of [['Skip', 's'], ['Keep as historical', 'h'], ['Approve and delete', 'a']]) {
    await expect(dialog.getByRole('button', { name, exact: true })).toHaveAttribute('aria-keyshortcuts', key.toUpperCase());
    await expect(dialog.getByRole('button', { name, exact: true }).locator('kbd')).toHaveText(key);
  }

  const skipped = (await path.textContent())!;
  await page.keyboard.press('s');
  await expect(path).not.toHaveText(skipped);
  await expect(dialog).toContainText(/Item 2 of/);

  const deleted = (await path.textContent())!;
  expect(onDisk(deleted)).toBe(true);
  const plan = await getJson<Plan>(request, '/api/plan', { policy: 'moderate' });
  const item = plan.items.find((it) => it.path === deleted)!;
  const intermediates = plan.items.filter((it) => it.category === 'intermediate').length;
  await page.keyboard.press('a');
  await expect(freed).toHaveText(new RegExp(`^Freed ${formatBytes(item.bytes).replace('.', '\\.')} in 1 deletion \\(`));
  await expect(freed).toContainText('1 skipped');
  await expect.poll(() => onDisk(deleted)).toBe(false);
  expect(onDisk(skipped)).toBe(true);

  const historical = (await path.textContent())!;
  expect(historical).not.toBe(deleted);
  await page.keyboard.press('h');
  await expect(path).not.toHaveText(historical);
  await expect(freed).toContainText('1 kept as historical');
  const entry = await getJson<EntryDetails>(request, '/api/entry', { path: historical });
  expect(entry.userTags).toContain('historical');
  expect(entry.protected).toBe(true);
  await expect
    .poll(async () => (await getJson<Plan>(request, '/api/plan', { policy: 'moderate' })).items.some((it) => it.path === historical))
    .toBe(false);
  expect(onDisk(historical)).toBe(true);

  // ← walks back over what was decided, each with its outcome in words.
  await page.keyboard.press('ArrowLeft');
  await expect(path).toHaveText(historical);
  await expect(dialog.getByRole('status').filter({ hasText: 'Tagged historical' })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(path).toHaveText(deleted);
  await expect(dialog.getByRole('status').filter({ hasText: /^Deleted: freed/ })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Approve and delete' })).toBeDisabled();

  // Escape leaves the queue and gives the keyboard back to the button that opened it; the plan has moved on.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(review).toBeFocused();
  await expect(card(page, 'Intermediate checkpoints')).toContainText(`${formatCount(intermediates - 2)} items`, { timeout: 15_000 });
  await setTag(request, historical, { remove: ['historical'] });
});

test('refusals stay on screen in words: protected since it was listed, changed since it was listed (then refreshed)', async ({
  page,
  request,
}) => {
  await openCleanup(page);
  await card(page, 'Intermediate checkpoints').getByRole('button', { name: 'Review the intermediate checkpoints one by one' }).click();
  const { dialog, path, freed } = queueDialog(page);
  await expect(dialog).toContainText('Intermediate checkpoints of the moderate plan');

  // Protected after the queue listed it: the server refuses and says why; the item stays.
  const pinned = (await path.textContent())!;
  await setTag(request, pinned, { add: ['critical'] });
  await page.keyboard.press('a');
  const alert = dialog.getByRole('alert');
  await expect(alert).toContainText('Refused: it is protected');
  await expect(alert).toContainText('protected: tagged critical');
  await expect(path).toHaveText(pinned);
  expect(onDisk(pinned)).toBe(true);
  await setTag(request, pinned, { remove: ['critical'] });

  // Changed after it was listed (a new ctime gives a new etag): refused, then Refresh shows it again to approve.
  await page.keyboard.press('ArrowRight');
  const touched = (await path.textContent())!;
  const file = join(demo.root, 'checkpoints', touched);
  const st = statSync(file);
  utimesSync(file, st.atime, st.mtime);
  await page.keyboard.press('a');
  await expect(alert).toContainText('Refused: it changed since it was shown');
  expect(onDisk(touched)).toBe(true);
  // Just changed, the plan holds it back as being written for a few seconds: Refresh (r) until it is offered again.
  const approve = dialog.getByRole('button', { name: 'Approve and delete' });
  await expect(approve).toBeDisabled();
  await expect(async () => {
    await page.keyboard.press('r');
    // Approve comes back only with the item as it is now, never with the etag that was refused.
    await expect(approve).toBeEnabled({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(alert).toBeHidden();
  await expect(path).toHaveText(touched);
  await page.keyboard.press('a');
  await expect(freed).toContainText(/in 1 deletion/);
  await expect.poll(() => onDisk(touched)).toBe(false);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('the details pane: Delete… is off for a protected model, and deletes an unprotected folder after its confirmation', async ({
  page,
  request,
}) => {
  await page.goto(demo.server.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('status', { name: 'Models progress' })).toHaveText(/^[\d,]+ checkpoints?$/, { timeout: 90_000 });
  await page.getByRole('searchbox', { name: 'Filter by path' }).fill(CRITICAL[0].path);
  await page.getByRole('grid', { name: 'Checkpoints' }).getByRole('row', { name: CRITICAL[0].path, exact: true }).click();
  const modelPane = page.getByRole('complementary', { name: 'Model details' });
  const blocked = modelPane.getByRole('button', { name: 'Delete…' });
  await expect(blocked).toBeDisabled();
  await expect(blocked).toHaveAttribute('title', /Protected, so it cannot be deleted: configs\/ensemble_best\.json:7/);

  // In the tree: a folder the plan would delete, through the dialog that names it and its size.
  const target = 'session10/exp1_dropout02';
  const entry = await getJson<EntryDetails>(request, '/api/entry', { path: target });
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Tree' }).click();
  await page.getByRole('searchbox', { name: 'Search by name' }).fill('exp1_dropout02');
  await page.getByRole('treegrid', { name: 'Checkpoints tree' }).getByRole('row', { name: target, exact: true }).click();
  const pane = page.getByRole('complementary', { name: 'Details' });
  await pane.getByRole('button', { name: 'Delete…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete exp1_dropout02?' });
  await expect(confirm).toContainText(target);
  await expect(confirm).toContainText(formatBytes(entry.bytes));
  await expect(confirm).toContainText(`${formatCount(entry.files)} files`);
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: /^Delete / }).click();
  await expect(confirm).toBeHidden();
  await expect(pane.getByRole('status')).toContainText(`Deleted ${target}: freed ${formatBytes(entry.bytes)}`);
  await expect.poll(() => onDisk(target)).toBe(false);
});

test('a whole category: every item listed first, then one job deletes them and ends with a summary', async ({ page, request }) => {
  await openCleanup(page);
  const plan = await getJson<Plan>(request, '/api/plan', { policy: 'moderate' });
  const debug = plan.items.filter((it) => it.category === 'debug');
  expect(debug.length).toBeGreaterThan(0);
  const bytes = debug.reduce((n, it) => n + it.bytes, 0);
  const what = `${formatCount(debug.length)} debug runs`;

  await card(page, 'Debug runs').getByRole('button', { name: `Delete all ${what}…` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete all ${what}?` });
  const list = dialog.getByRole('list', { name: 'Items to delete' });
  await expect(list.getByRole('listitem')).toHaveCount(debug.length);
  for (const it of debug) await expect(list.getByRole('listitem').filter({ hasText: it.path })).toHaveCount(1);
  await expect(dialog).toContainText(formatBytes(bytes));
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();

  await dialog.getByRole('button', { name: `Delete ${formatCount(debug.length)} items` }).click();
  // Its name follows the job from here: "Deleting 2 debug runs…", then "Deleting debug runs: done".
  const job = page.getByRole('dialog', { name: /^Deleting / });
  await expect(job.getByRole('progressbar')).toBeVisible();
  await expect(job).toHaveAccessibleName('Deleting debug runs: done', { timeout: 60_000 });
  const summary = job.getByRole('status', { name: 'Deletion summary' });
  await expect(summary).toContainText(`Deleted ${formatCount(debug.length)} items`);
  await expect(summary).toContainText(`freeing ${formatBytes(bytes)}`);
  await expect(summary).toContainText('Nothing was refused.');
  for (const it of debug) expect(onDisk(it.path), it.path).toBe(false);

  await job.getByRole('button', { name: 'Close' }).click();
  await expect(job).toBeHidden();
  // The plan follows: no debug card any more.
  await expect(card(page, 'Debug runs')).toHaveCount(0, { timeout: 15_000 });
});
