import type { FastifyInstance } from 'fastify';
import { History, HistoryQuery } from '../../shared/schemas/api.js';
import { ErrorBody } from '../../shared/schemas/common.js';
import { recentWrites } from '../history/checkpoint-writes.js';
import { ForecastCache } from '../history/forecast-cache.js';
import { forecast, FORECAST_WINDOW_MS } from '../history/forecast.js';
import { MAX_BUCKETS, type HistoryRange } from '../history/sampler.js';
import { ScanService } from '../scan/scan-service.js';

export default async function historyRoutes(app: FastifyInstance) {
  // One per app: every open tab polls this route, and the forecast walks every checkpoint.
  const cache = new ForecastCache();
  app.get(
    '/api/history',
    {
      schema: {
        summary: 'Usage history of the root and its filesystem, and when the disk fills at the current pace',
        querystring: HistoryQuery,
        response: { 200: History, 400: ErrorBody },
      },
    },
    async (req) => {
      const { history, store, scan, models } = app.ckpt;
      const range: HistoryRange = (req.query as { range?: HistoryRange }).range ?? '24h';
      const now = history.now();
      const samples = history.query(range, now).map(({ t, bytes, diskBytes, fsAvailBytes }) => ({ t, bytes, diskBytes, fsAvailBytes }));
      // The forecast always looks at its own window, whatever range the chart shows.
      const recent = store.historyBetween(now - FORECAST_WINDOW_MS, now, Math.ceil(FORECAST_WINDOW_MS / MAX_BUCKETS));
      const result = cache.get(recent.at(-1)?.t, now, () => {
        const index = scan instanceof ScanService ? scan.index : null;
        return forecast(recent, recentWrites(models.facts(), index, now - FORECAST_WINDOW_MS, now), now);
      });
      return { samples, forecast: result };
    },
  );
}
