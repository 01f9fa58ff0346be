import type { Forecast } from './forecast.js';

/**
 * Past this age a cached forecast is computed again even with no new sample: `fullAt` and the
 * cadence are measured up to now, and a sampler that stopped (a scan that never got ready) must
 * not freeze them.
 */
export const FORECAST_MAX_AGE_MS = 60_000;

/**
 * The last forecast, keyed by the time of the newest usage sample. The forecast does not depend on
 * the chart's range, so one entry serves every range. Its inputs change only with the tree, and
 * every tree change brings a new sample within seconds (the sampler's trailing sample), so the
 * key moves with them; between samples every open tab's poll reuses the entry instead of listing
 * and sorting every checkpoint again.
 */
export class ForecastCache {
  private entry?: { key: number; at: number; value: Forecast };

  constructor(private readonly maxAgeMs = FORECAST_MAX_AGE_MS) {}

  get(latestSampleT: number | undefined, now: number, compute: () => Forecast): Forecast {
    const e = this.entry;
    if (latestSampleT !== undefined && e && e.key === latestSampleT && now >= e.at && now - e.at < this.maxAgeMs) return e.value;
    const value = compute();
    // Without a sample there is nothing to key on; that only lasts until the first scan is ready.
    this.entry = latestSampleT === undefined ? undefined : { key: latestSampleT, at: now, value };
    return value;
  }
}
