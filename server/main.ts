import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`ckptdash: ${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
