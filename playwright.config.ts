import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium, never a downloaded browser: this machine kind has no
// browser downloads (scripts/ensure-chromium.mjs installs it through apt-get).
export const chromiumLaunch = {
  executablePath: process.env.CKPTDASH_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Two cores: one server plus one browser per worker is what fits.
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // `list` ends with the "N passed, N failed" summary line.
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1440, height: 900 },
    launchOptions: chromiumLaunch,
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium' }],
});
