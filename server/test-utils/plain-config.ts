// A resolved config for a project folder, for scripts that run outside the
// test runner (benchmarks, child processes of crash tests).
import { join } from 'node:path';
import type { Config } from '../config.js';

/** The config the CLI would resolve for `<project>/checkpoints` with the given token. */
export function plainConfig(project: string, token: string, over: Partial<Config> = {}): Config {
  return {
    root: join(project, 'checkpoints'),
    project,
    demo: false,
    port: 0,
    host: '127.0.0.1',
    allowHosts: [],
    readOnly: false,
    open: false,
    stateDir: join(project, '.ckptdash'),
    lang: 'en',
    token: { value: token, rotate: false },
    demoReset: false,
    settings: {},
    ...over,
  };
}
