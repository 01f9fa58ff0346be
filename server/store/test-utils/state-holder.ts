// Test-only: another process on the state file. It opens the file, tries to
// take an exclusive lock, prints `locked` or `refused <code>`, then holds
// whatever it got until it is killed.
//   node --import tsx state-holder.ts FILE
import Database from 'better-sqlite3';

const db = new Database(process.argv[2], { timeout: 100 });
try {
  db.exec('BEGIN EXCLUSIVE');
  process.stdout.write('locked\n');
} catch (err) {
  process.stdout.write(`refused ${(err as { code?: string }).code ?? 'ERROR'}\n`);
}
setInterval(() => {}, 1 << 30);
