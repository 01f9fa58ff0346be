import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp, type BuildOptions } from '../app.js';
import type { Config } from '../config.js';
import { tempDir } from './temp.js';

export const TEST_TOKEN = 'test-token-0123456789';

/** A resolved config for a temp project with a `checkpoints/` root, as the CLI would build it. */
export function testConfig(over: Partial<Config> = {}): Config {
  const project = tempDir();
  const root = join(project, 'checkpoints');
  mkdirSync(root, { recursive: true });
  return {
    root,
    project,
    demo: false,
    port: 7878,
    host: '127.0.0.1',
    allowHosts: [],
    readOnly: false,
    open: false,
    stateDir: join(project, '.ckptdash'),
    lang: 'en',
    token: { value: TEST_TOKEN, rotate: false },
    demoReset: false,
    settings: {},
    ...over,
  };
}

const apps: FastifyInstance[] = [];

export async function testApp(config: Config = testConfig(), opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(config, { token: TEST_TOKEN, webDir: undefined, ...opts });
  apps.push(app);
  await app.ready();
  return app;
}

export const auth = { authorization: `Bearer ${TEST_TOKEN}` };

afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});
