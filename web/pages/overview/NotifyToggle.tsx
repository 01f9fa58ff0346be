import { useId, useState } from 'react';
import type { History } from '../../../shared/schemas/index.js';
import type { HistoryRange } from '../../api/keys.js';
import { baseline, notificationsSupported, readChoice, writeChoice, writeNotified } from './forecast-notify.js';
import { useForecastNotifier } from './use-forecast-notifier.js';
import styles from './NotifyToggle.module.css';

function currentPermission(): NotificationPermission {
  return notificationsSupported() ? window.Notification.permission : 'denied';
}

/**
 * "Notify me": a toggle button that asks for the browser's permission only when clicked, and
 * remembers the choice in this browser. Absent where the page cannot show notifications.
 */
export function NotifyToggle({ status, range }: { status: History['forecast']['status']; range: HistoryRange }) {
  const supported = notificationsSupported();
  const [chosen, setChosen] = useState(readChoice);
  const [permission, setPermission] = useState(currentPermission);
  const [asking, setAsking] = useState(false);
  const noteId = useId();
  const on = supported && chosen && permission === 'granted';
  useForecastNotifier(on, range);
  if (!supported) return null;

  const toggle = async () => {
    if (on) {
      writeChoice(false);
      setChosen(false);
      return;
    }
    let granted = window.Notification.permission;
    if (granted === 'default') {
      setAsking(true);
      try {
        granted = await window.Notification.requestPermission();
      } catch {
        // An old callback-only API or a refused prompt: read what the browser decided.
        granted = window.Notification.permission;
      } finally {
        setAsking(false);
      }
    }
    setPermission(granted);
    if (granted !== 'granted') return;
    // What is on screen now is known: only a later escalation notifies.
    writeNotified(baseline(status, Date.now()));
    writeChoice(true);
    setChosen(true);
  };

  const blocked = permission === 'denied';
  return (
    <div className={styles.notify}>
      {blocked && (
        <span id={noteId} className={styles.note}>
          Blocked in this browser’s site settings
        </span>
      )}
      <button
        type="button"
        className={styles.button}
        aria-pressed={on}
        aria-describedby={blocked ? noteId : undefined}
        disabled={asking}
        title={on ? 'A notification appears when the disk is forecast to fill within 24 h, and again within 4 h' : 'Get a browser notification when the disk is forecast to fill within 24 h or 4 h'}
        onClick={() => void toggle()}
      >
        <svg viewBox="0 0 16 16" className={styles.bell} aria-hidden="true">
          <path d="M8 1.8a4 4 0 0 0-4 4v2.7L2.7 11h10.6L12 8.5V5.8a4 4 0 0 0-4-4zM6.3 12.6a1.8 1.8 0 0 0 3.4 0" />
        </svg>
        Notify me
      </button>
    </div>
  );
}
