import { useSyncExternalStore } from 'react';

/** The app's pages and their pathnames; the server answers index.html for each. */
export const ROUTES = [
  { path: '/', label: 'Overview' },
  { path: '/tree', label: 'Tree' },
  { path: '/models', label: 'Models' },
  { path: '/cleanup', label: 'Cleanup' },
  { path: '/history', label: 'History' },
  { path: '/backups', label: 'Backups' },
  { path: '/report', label: 'Report' },
] as const;

export type RoutePath = (typeof ROUTES)[number]['path'];

const NAVIGATE_EVENT = 'ckptdash:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function currentRoute(): RoutePath {
  // Trailing slashes come from hand-typed URLs; treat /tree/ as /tree.
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  return ROUTES.find((r) => r.path === path)?.path ?? '/';
}

/** The current page, re-rendering on back/forward and on navigate(). */
export function useRoute(): RoutePath {
  return useSyncExternalStore(subscribe, currentRoute);
}

export function navigate(path: RoutePath): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}
