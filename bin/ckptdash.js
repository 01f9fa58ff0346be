#!/usr/bin/env node
// Entry point of the installed command: the compiled server lives in dist/.
import { main } from '../dist/server/cli.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`ckptdash: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
