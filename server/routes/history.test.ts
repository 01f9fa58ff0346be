import { chmodSync, copyFileSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import type { History } from '../../shared/schemas/api.js';
import { ForecastCache } from '../history/forecast-cache.js';
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
    // Level root, writes every hour: the measured net growth (0) wins over cadence × size,
    // and the cadence is still reported: two intervals over the three hours up to now.
    const size = app.ckpt.models.list()[0].bytes;
    expect(body.forecast).toEqual({ status: 'none', checkpointsPerHour: expect.closeTo(2 / 3, 2), bytesPerCheckpoint: size });

    const day = (await get(app, '/api/history')).json() as History;
    expect(day.samples.length).toBe(body.samples.length + 1);
  });

  it('forecasts from cadence × size when the history is too short to measure growth', async () => {
    const app = await testApp(runConfig());
    await app.ckpt.scan.ready();
    await app.ckpt.models.idle();
    app.ckpt.history.sample();
    const body = (await get(app, '/api/history?range=all')).json() as History;
    const [cp] = app.ckpt.models.list();
    // The disk fills by allocated blocks: a small file takes a whole one.
    const disk = app.ckpt.scan.entry(cp.path)!.diskBytes;
    expect(disk).toBeGreaterThanOrEqual(cp.bytes);
    // Two saves over the three hours up to now: two thirds of a checkpoint per hour.
    expect(body.forecast.bytesPerHour! / disk).toBeCloseTo(2 / 3, 2);
    // Floating point may land a hair under the exact quotient.
    expect(Math.abs(body.forecast.checkpointsLeft! - body.samples.at(-1)!.fsAvailBytes / disk)).toBeLessThanOrEqual(1);
    expect(body.forecast.bytesPerCheckpoint).toBe(cp.bytes);
    expect(body.forecast.checkpointsPerHour).toBeCloseTo(2 / 3, 2);
  });

  it('computes the forecast once per newest sample, whatever the range', async () => {
    const app = await testApp(runConfig());
    await app.ckpt.scan.ready();
    await app.ckpt.models.idle();
    const first = app.ckpt.history.sample()!;
    // Counts the computations behind the route's cache (the models' facts are read by others too).
    let computed = 0;
    const get0 = ForecastCache.prototype.get;
    vi.spyOn(ForecastCache.prototype, 'get').mockImplementation(function (this: ForecastCache, key, at, compute) {
      return get0.call(this, key, at, () => {
        computed++;
        return compute();
      });
    });
    const a = (await get(app, '/api/history?range=1h')).json() as History;
    const b = (await get(app, '/api/history?range=7d')).json() as History;
    expect(computed).toBe(1);
    expect(b.forecast).toEqual(a.forecast);
    // A newer sample (every tree change brings one) computes it again.
    await new Promise((r) => setTimeout(r, 5));
    expect(app.ckpt.history.sample()!.t).toBeGreaterThan(first.t);
    await get(app, '/api/history?range=1h');
    expect(computed).toBe(2);
    vi.restoreAllMocks();
  });

  it('refuses an unknown range', async () => {
    const app = await testApp();
    expect((await get(app, '/api/history?range=2h')).statusCode).toBe(400);
  });
});
