import { expect, test, type Page } from '@playwright/test';
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
    const forecast = page.getByRole('region', { name: 'Forecast' });
    await expect(forecast.getByText(/No checkpoints written|Not filling up|of space|will be full in about/)).toBeVisible();
    await expect(forecast.getByRole('button', { name: 'Notify me' })).toHaveAttribute('aria-pressed', 'false');
    await expect(page.getByRole('heading', { name: 'By tag' })).toBeVisible();
  });

  test('shows the write cadence, and "Notify me" notifies once per escalation', async ({ page }) => {
    await fakeNotifications(page);
    const GiB = 2 ** 30;
    const hour = 3600_000;
    let forecast: Record<string, unknown> = { status: 'ok', fullAt: Date.now() + 60 * hour, checkpointsLeft: 60, bytesPerHour: 4 * GiB, checkpointsPerHour: 2, bytesPerCheckpoint: 2 * GiB };
    // The server's samples, with a forecast the test chooses.
    await page.route((url) => url.pathname === '/api/history', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...(await res.json()), forecast } });
    });
    await page.goto(served.server.url);
    const panel = page.getByRole('region', { name: 'Forecast' });
    await expect(panel.getByText('Checkpoints per hour')).toBeVisible();
    await expect(panel.getByRole('definition').filter({ hasText: /^2$/ })).toBeVisible();
    await expect(panel.getByRole('definition').filter({ hasText: 'one every 30 min' })).toBeVisible();
    await expect(panel.getByRole('definition').filter({ hasText: /^2\.0 GiB$/ })).toBeVisible();
    await expect(panel.getByRole('definition').filter({ hasText: /^4\.0 GiB\/h$/ })).toBeVisible();
    await expect(panel.getByText(/About 2\.5 days of space \(about 60 checkpoints\)/)).toBeVisible();

    // Nothing is asked before the user acts; the toggle is a keyboard-reachable button.
    expect(await fake(page, 'requests')).toBe(0);
    const notify = panel.getByRole('button', { name: 'Notify me' });
    await notify.focus();
    await page.keyboard.press('Enter');
    await expect(notify).toHaveAttribute('aria-pressed', 'true');
    expect(await fake(page, 'requests')).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('ckptdash.forecast-notify'))).toBe('on');

    // Each range is its own request: a way to make the page fetch the forecast again now.
    const ranges = page.getByRole('radiogroup', { name: 'History range' });
    const refetch = async (name: string, perHour: number) => {
      forecast = { ...forecast, checkpointsPerHour: perHour };
      await ranges.getByRole('radio', { name }).click();
      await expect(panel.getByRole('definition').filter({ hasText: new RegExp(`^${perHour}$`) })).toBeVisible();
    };
    forecast = { ...forecast, status: 'warning', fullAt: Date.now() + 10 * hour, checkpointsLeft: 20 };
    await refetch('Last hour', 3);
    await expect(panel.getByRole('status')).toContainText('Disk filling up');
    await expect.poll(() => fake(page, 'shown')).toEqual([expect.stringMatching(/disk filling up/)]);
    // Still warning on the next fetch: no second notification.
    await refetch('Last 7 days', 4);
    await expect(panel.getByRole('alert')).toHaveCount(0);
    forecast = { ...forecast, status: 'critical', fullAt: Date.now() + 2 * hour, checkpointsLeft: 4 };
    await refetch('All history', 5);
    await expect(panel.getByRole('alert')).toContainText('Disk almost full');
    await expect.poll(() => fake(page, 'shown')).toEqual([expect.stringMatching(/disk filling up/), expect.stringMatching(/disk almost full/)]);

    // A reload in the same state remembers it was told, and the choice itself.
    await page.reload();
    await expect(panel.getByRole('alert')).toContainText('Disk almost full');
    await expect(notify).toHaveAttribute('aria-pressed', 'true');
    await refetch('Last hour', 6);
    expect(await fake(page, 'shown')).toEqual([]);

    await notify.click();
    await expect(notify).toHaveAttribute('aria-pressed', 'false');
    expect(await page.evaluate(() => localStorage.getItem('ckptdash.forecast-notify'))).toBe('off');
  });

  test('a browser without notifications gets no toggle and a working page', async ({ page }) => {
    await page.addInitScript(() => {
      delete (window as { Notification?: unknown }).Notification;
    });
    await page.goto(served.server.url);
    const panel = page.getByRole('region', { name: 'Forecast' });
    await expect(panel.getByRole('heading', { name: 'Forecast' })).toBeVisible();
    await expect(panel.getByText(/No checkpoints written|Not filling up|of space|will be full in about/)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Notify me' })).toHaveCount(0);
  });
});

/**
 * A stand-in for the Notification API: permission is granted on request (and kept across a
 * reload, as a browser would), and every notification's title is recorded instead of shown.
 */
async function fakeNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const state = {
      requests: Number(sessionStorage.getItem('fake-requests') ?? 0),
      shown: [] as string[],
    };
    class FakeNotification {
      static permission: NotificationPermission = (sessionStorage.getItem('fake-permission') as NotificationPermission | null) ?? 'default';
      static async requestPermission(): Promise<NotificationPermission> {
        state.requests++;
        sessionStorage.setItem('fake-requests', String(state.requests));
        FakeNotification.permission = 'granted';
        sessionStorage.setItem('fake-permission', 'granted');
        return 'granted';
      }
      onclick: (() => void) | null = null;
      constructor(title: string) {
        state.shown.push(title);
      }
      close(): void {}
    }
    Object.assign(window, { Notification: FakeNotification, fakeNotifications: state });
  });
}

interface FakeState {
  requests: number;
  shown: string[];
}

function fake<K extends keyof FakeState>(page: Page, key: K): Promise<FakeState[K]> {
  return page.evaluate(() => (window as unknown as { fakeNotifications: FakeState }).fakeNotifications).then((state) => state[key]);
}
