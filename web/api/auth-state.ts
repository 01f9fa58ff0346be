import { useSyncExternalStore } from 'react';

/**
 * Whether the server accepts this browser. Any 401 flips it to `required`, so
 * the whole app can swap to the "open the printed link" page from one place.
 */
export type AuthState = 'unknown' | 'ok' | 'required' | 'rejected';

let state: AuthState = 'unknown';
const listeners = new Set<() => void>();

export function setAuthState(next: AuthState): void {
  // A refused token stays visible as such; later 401s would only blur the message.
  if (state === next || (state === 'rejected' && next === 'required')) return;
  state = next;
  for (const listener of listeners) listener();
}

export function useAuthState(): AuthState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}
