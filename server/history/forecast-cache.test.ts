import { describe, expect, it } from 'vitest';
import { ForecastCache } from './forecast-cache.js';
import type { Forecast } from './forecast.js';

describe('ForecastCache', () => {
  const counting = () => {
    let calls = 0;
    const compute = (): Forecast => ({ status: 'ok', bytesPerHour: ++calls });
    return { compute, calls: () => calls };
  };

  it('reuses the forecast while the newest sample is the same', () => {
    const cache = new ForecastCache(60_000);
    const c = counting();
    expect(cache.get(1000, 5000, c.compute).bytesPerHour).toBe(1);
    expect(cache.get(1000, 6000, c.compute).bytesPerHour).toBe(1);
    expect(cache.get(2000, 7000, c.compute).bytesPerHour).toBe(2);
    expect(cache.get(2000, 8000, c.compute).bytesPerHour).toBe(2);
    expect(c.calls()).toBe(2);
  });

  it('computes again once the entry is too old, or when the clock went back', () => {
    const cache = new ForecastCache(60_000);
    const c = counting();
    cache.get(1000, 5000, c.compute);
    expect(cache.get(1000, 64_999, c.compute).bytesPerHour).toBe(1);
    expect(cache.get(1000, 65_000, c.compute).bytesPerHour).toBe(2);
    expect(cache.get(1000, 10_000, c.compute).bytesPerHour).toBe(3);
  });

  it('never caches without a sample to key on', () => {
    const cache = new ForecastCache();
    const c = counting();
    cache.get(undefined, 1, c.compute);
    cache.get(undefined, 2, c.compute);
    expect(c.calls()).toBe(2);
  });
});
