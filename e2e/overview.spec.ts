import { expect, test } from '@playwright/test';
import { serveDemo } from './fixtures.js';

test.describe('overview', () => {
  const served = serveDemo();

  test('shows the largest runs, a usage chart with switchable ranges, and the forecast', async ({
    page,
    request,
  }) => {
    await page.goto(served.server.url);
    await expect(page.getByText(/^Scan complete/)).toBeVisible({ timeout: 120_000 });

    // The largest run is whatever the server says, not a name baked into the test.
    const auth = { Authorization: `Bearer ${served.server.token}` };
    const res = await request.get(`${served.server.origin}/api/checkpoints`, { headers: auth });
    expect(res.ok()).toBe(true);
    const { items } = (await res.json()) as { items: { run: string; bytes: number }[] };
    const byRun = new Map<string, number>();
    for (const c of items) byRun.set(c.run, (byRun.get(c.run) ?? 0) + c.bytes);
    const [largest] = [...byRun].sort((a, b) => b[1] - a[1])[0];

    const runs = page.getByRole('list', { name: 'Top runs' });
    await expect(runs).toBeVisible();
    await expect(runs.getByRole('listitem').first()).toContainText(largest || '(root)');
    await expect(runs.getByRole('listitem')).toHaveCount(Math.min(10, byRun.size));

    const ranges = page.getByRole('radiogroup', { name: 'History range' });
    const day = ranges.getByRole('radio', { name: 'Last 24 hours' });
    const hour = ranges.getByRole('radio', { name: 'Last hour' });
    await expect(day).toHaveAttribute('aria-checked', 'true');
    await hour.click();
    await expect(hour).toHaveAttribute('aria-checked', 'true');
    await expect(day).toHaveAttribute('aria-checked', 'false');
    // Arrow keys move the choice like native radios.
    await page.keyboard.press('ArrowRight');
    await expect(day).toHaveAttribute('aria-checked', 'true');
    await expect(day).toBeFocused();

    const usage = page.getByRole('region', { name: 'Disk usage over time' });
    await expect(
      usage
        .getByRole('figure', { name: 'Disk usage over time' })
        .or(usage.getByText(/Collecting history/)),
    ).toBeVisible();
    await expect(usage.getByText(/History unavailable/)).toHaveCount(0);
    // A fresh demo has not grown yet; whatever the status, some forecast line is shown.
    await expect(page.getByText(/No growth|of space at the current rate|will be full in about/)).toBeVisible();
    await expect(page.getByRole('heading', { name: 'By tag' })).toBeVisible();
  });
});
