// A training run gone wild, for load tests: creates, grows, truncates and
// deletes files under ROOT/live at about RATE operations a second for SECONDS,
// now and then dropping a whole folder and starting it again, then prints
// `done <operations>` and exits.
//   node --import tsx churn-writer.ts ROOT SECONDS RATE
import { appendFileSync, mkdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [root, seconds, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const FOLDERS = 20;
const TICK_MS = 10;
const live = join(root, 'live');
const files: string[][] = Array.from({ length: FOLDERS }, () => []);
for (let d = 0; d < FOLDERS; d++) mkdirSync(join(live, `d${d}`), { recursive: true });

let seed = 12345;
const rand = (n: number) => {
  // A fixed sequence: a failure can be run again as it happened.
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

let ops = 0;
let made = 0;
function step(): void {
  const d = rand(FOLDERS);
  const dir = join(live, `d${d}`);
  const list = files[d];
  const roll = rand(100);
  if (roll === 0 && ops > 0) {
    // The whole folder goes, and comes back empty.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    list.length = 0;
  } else if (list.length < 20 || roll < 45) {
    const n = made++;
    const name = n % 2 === 0 ? `checkpoint_epoch${n}.pt` : `events.${n}.log`;
    writeFileSync(join(dir, name), Buffer.alloc(rand(8192), 1));
    list.push(name);
  } else if (roll < 75) {
    const name = list[rand(list.length)];
    if (rand(4) === 0) truncateSync(join(dir, name), rand(1024));
    else appendFileSync(join(dir, name), Buffer.alloc(rand(4096) + 1, 2));
  } else {
    const name = list.splice(rand(list.length), 1)[0];
    unlinkSync(join(dir, name));
  }
  ops++;
}

const started = Date.now();
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
const timer = setInterval(() => {
  const elapsed = Date.now() - started;
  if (elapsed >= seconds * 1000) {
    clearInterval(timer);
    process.stdout.write(`done ${ops}\n`);
    return;
  }
  // Catch up after a slow tick, so the rate holds on a busy machine.
  const due = Math.min(Math.floor((elapsed / 1000) * rate) - ops + perTick, perTick * 20);
  for (let i = 0; i < due; i++) step();
}, TICK_MS);
