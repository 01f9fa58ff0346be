import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunch } from './playwright.config.js';

/** `npm run screenshot`: serves the demo project and writes docs/screenshots/*.png. */
export default defineConfig({
  testDir: 'e2e',
  testMatch: 'screenshot.ts',
  retries: 0,
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    launchOptions: chromiumLaunch,
  },
  projects: [{ name: 'chromium' }],
});
