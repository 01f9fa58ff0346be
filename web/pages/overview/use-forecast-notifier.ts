import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { History } from '../../../shared/schemas/index.js';
import { api } from '../../api/client.js';
import { HISTORY_POLL_MS } from '../../api/hooks.js';
import { keys, type HistoryRange } from '../../api/keys.js';
import { forecastMessage } from './overview-data.js';
import { decide, notificationsSupported, readNotified, show, writeNotified } from './forecast-notify.js';

/**
 * While `on`, watches the forecast and shows a notification when it escalates. It shares the
 * chart's query but keeps polling when the tab is in the background: a tab left open during
 * training is what notifications are for, and the chart's own poll pauses there.
 */
export function useForecastNotifier(on: boolean, range: HistoryRange): void {
  const { data, dataUpdatedAt } = useQuery({
    queryKey: keys.history(range),
    queryFn: ({ signal }) => api.get<History>('/api/history', { range }, signal),
    enabled: on,
    refetchInterval: on ? HISTORY_POLL_MS : false,
    refetchIntervalInBackground: true,
  });
  // Every fetch is looked at, not only status changes: an old notified level is forgotten on time.
  useEffect(() => {
    if (!on || !data || !notificationsSupported() || window.Notification.permission !== 'granted') return;
    const now = Date.now();
    const { notify, next } = decide(data.forecast.status, readNotified(), now);
    writeNotified(next);
    if (notify) {
      const { title, body } = forecastMessage(data.forecast, now);
      show(title, body);
    }
  }, [on, data, dataUpdatedAt]);
}
