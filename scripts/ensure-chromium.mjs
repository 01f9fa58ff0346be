#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for Playwright: this machine kind
// has no browser downloads, so `npx playwright install` is never used.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = process.env.CKPTDASH_CHROMIUM ?? '/usr/bin/chromium';

if (existsSync(CHROMIUM)) {
  console.log(`ensure-chromium: ${CHROMIUM} is installed`);
  process.exit(0);
}

function run(command, args) {
  console.log(`ensure-chromium: ${CHROMIUM} is missing; running: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) return `${command} could not start: ${result.error.message}`;
  if (result.status !== 0) return `${command} ${args.join(' ')} exited with code ${result.status ?? result.signal}`;
  return null;
}

const failure = run('apt-get', ['update']) ?? run('apt-get', ['install', '-y', 'chromium']);
if (failure || !existsSync(CHROMIUM)) {
  console.error(
    `ensure-chromium: could not install Chromium (${failure ?? `${CHROMIUM} still missing after apt-get`}).\n` +
      'Install it by hand (as root: apt-get install -y chromium), or point CKPTDASH_CHROMIUM at a Chromium binary.',
  );
  process.exit(1);
}
console.log(`ensure-chromium: installed ${CHROMIUM}`);
