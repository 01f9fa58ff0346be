import { chmodSync, copyFileSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { History } from '../../shared/schemas/api.js';
import { fixture } from '../models/test-utils/fixtures.js';
import { auth, testApp, testConfig } from '../test-utils/app.js';

const HOUR = 3600_000;
const get = (app: FastifyInstance, url: string) => app.inject({ url, headers: { host: 'localhost', ...auth } });

/** Three saves of one run, an hour apart, the last an hour ago. */
function runConfig() {
  const config = testConfig();
  mkdirSync(join(config.root, 'run'));
  for (const h of [1, 2, 3]) {
    const to = join(config.root, 'run', `step${h}.safetensors`);
    copyFileSync(fixture('model.safetensors'), to);
    chmodSync(to, 0o644);
    const at = new Date(Date.now() - h * HOUR);
    utimesSync(to, at, at);
  }
  return config;
}

describe('GET /api/history', () => {
  it('returns the samples of a range and a forecast from the checkpoint cadence', async () => {
    const app = await testApp(runConfig());
    await app.ckpt.scan.ready();
    await app.ckpt.models.idle();
    expect(app.ckpt.models.list()).toHaveLength(3);
    // An older sample, outside the last hour but inside the default day, longer ago than two saves.
    const first = app.ckpt.history.sample()!;
    app.ckpt.store.addHistory({ ...first, t: Date.now() - 4 * HOUR });

    const hour = await get(app, '/api/history?range=1h');
    expect(hour.statusCode).toBe(200);
    const body = hour.json() as History;
    expect(body.samples.length).toBeGreaterThanOrEqual(1);
    expect(body.samples.at(-1)).toMatchObject({ bytes: first.bytes, diskBytes: first.diskBytes, fsAvailBytes: first.fsAvailBytes });
    expect(Object.keys(body.samples[0]).sort()).toEqual(['bytes', 'diskBytes', 'fsAvailBytes', 't']);
    // Level root, writes every hour: the measured net growth (0) wins over cadence × size.
    expect(body.forecast).toEqual({ status: 'none' });

    const day = (await get(app, '/api/history')).json() as History;
    expect(day.samples.length).toBe(body.samples.length + 1);
  });

  it('forecasts from cadence × size when the history is too short to measure growth', async () => {
    const app = await testApp(runConfig());
    await app.ckpt.scan.ready();
    await app.ckpt.models.idle();
    app.ckpt.history.sample();
    const body = (await get(app, '/api/history?range=all')).json() as History;
    const size = app.ckpt.models.list()[0].bytes;
    expect(body.forecast.bytesPerHour).toBeGreaterThan(0);
    expect(body.forecast.bytesPerHour).toBeLessThanOrEqual(size);
    expect(body.forecast.checkpointsLeft).toBe(Math.floor(body.samples.at(-1)!.fsAvailBytes / size));
  });

  it('refuses an unknown range', async () => {
    const app = await testApp();
    expect((await get(app, '/api/history?range=2h')).statusCode).toBe(400);
  });
});
