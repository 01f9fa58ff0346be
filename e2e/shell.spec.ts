import { expect, test } from '@playwright/test';
import { serveDemo, serveTree, writeFile } from './fixtures.js';

test.describe('shell and sign-in', () => {
  const served = serveTree((root) => {
    writeFile(root, 'run1/checkpoint_epoch1.pt', 2_000_000);
    writeFile(root, 'run1/final_model.pt', 5_000_000);
  });

  test('the printed link signs in, leaves the address bar, and a reload stays signed in', async ({ page }) => {
    await page.goto(served.server.url);
    await expect(page.getByText('ckptdash', { exact: true })).toBeVisible();
    await expect(page.getByTitle(`Root: ${served.root}`)).toBeVisible();
    expect(page.url()).not.toContain('token');
    expect(page.url()).toBe(`${served.server.origin}/`);
    await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live');

    await page.reload();
    await expect(page.getByTitle(`Root: ${served.root}`)).toBeVisible();
    await expect(page.getByText('Open the link printed in the terminal')).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  });

  test('pages are reachable from the navigation and by address', async ({ page }) => {
    await page.goto(served.server.url);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    await nav.getByRole('link', { name: 'Tree' }).click();
    await expect(page).toHaveURL(`${served.server.origin}/tree`);
    await expect(page.getByRole('treegrid', { name: 'Checkpoints tree' })).toBeVisible();

    await nav.getByRole('link', { name: 'Cleanup' }).click();
    await expect(page.getByRole('heading', { name: 'Cleanup' })).toBeVisible();
    await expect(page.getByRole('radiogroup', { name: 'Policy' })).toBeVisible();

    await page.goBack();
    await expect(page.getByRole('treegrid', { name: 'Checkpoints tree' })).toBeVisible();

    // The server answers index.html for app pages, so a reload lands on the same page.
    await page.goto(`${served.server.origin}/models`);
    await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Models' })).toHaveAttribute('aria-current', 'page');
  });

  test('without the token a fresh browser is told to open the printed link', async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${served.server.origin}/`);
    await expect(
      page.getByRole('heading', { name: 'Open the link printed in the terminal (it contains the access token)' }),
    ).toBeVisible();
    await expect(page.getByText('http://127.0.0.1:7878/#token=…')).toBeVisible();
    await context.close();
  });

  test('a wrong token says so', async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${served.server.origin}/#token=not-the-token`);
    await expect(page.getByRole('heading', { name: /Open the link printed in the terminal/ })).toBeVisible();
    await expect(page.getByText('carries a token this server does not accept')).toBeVisible();
    expect(page.url()).not.toContain('not-the-token');
    await context.close();
  });
});

test.describe('demo mode', () => {
  const demo = serveDemo();

  test('shows the demo badge', async ({ page }) => {
    await page.goto(demo.server.url);
    await expect(page.getByText('demo', { exact: true })).toBeVisible();
  });
});
