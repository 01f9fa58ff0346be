import { api, isApiError } from './client.js';
import { setAuthState } from './auth-state.js';

/**
 * Takes `#token=…` out of the address bar at once (so it does not land in
 * history, bookmarks or screenshots), then trades it for the HttpOnly session
 * cookie. Without a token the cookie from an earlier visit may still be valid.
 */
export async function startSession(): Promise<void> {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token === null) return;
  params.delete('token');
  const rest = params.toString();
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  if (!token) return;
  try {
    await api.post('/api/session', { token });
  } catch (err) {
    // A stale link (the token was rotated) must say so rather than look like a missing token.
    if (isApiError(err, 401) || isApiError(err, 403)) setAuthState('rejected');
  }
}
