// Sums the vitest and Playwright summaries of the given logs into one line
// "N passed, N failed"; a failed command with no counted failure counts as one.
import { readFileSync } from 'node:fs';

const [, , ...args] = process.argv;
const status = Number(args.pop());
let passed = 0;
let failed = 0;
for (const file of args) {
  const text = readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
  for (const line of text.split('\n')) {
    // vitest: "      Tests  2 failed | 24 passed (26)"
    const v = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
    if (v) {
      passed += Number(/(\d+) passed/.exec(v[1])?.[1] ?? 0);
      failed += Number(/(\d+) failed/.exec(v[1])?.[1] ?? 0);
      continue;
    }
    // Playwright: "  12 passed (30.1s)", "  1 failed", "  2 flaky"
    const p = /^\s+(\d+) (passed|failed|flaky)( \(.*\))?\s*$/.exec(line);
    if (p) {
      if (p[2] === 'passed') passed += Number(p[1]);
      else failed += Number(p[1]);
    }
  }
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
