// Development: the server from source on :7879 (restarted on change) and Vite
// on :5173 proxying /api to it. Extra arguments go to the server.
import { spawn } from 'node:child_process';

const port = process.env.CKPTDASH_DEV_PORT ?? '7879';
const children = [
  spawn(process.execPath, ['--import', 'tsx', '--watch', 'server/main.ts', '--port', port, '--no-open', ...process.argv.slice(2)], {
    stdio: 'inherit',
  }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js'], { stdio: 'inherit', env: { ...process.env, CKPTDASH_DEV_PORT: port } }),
];
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', stop);
