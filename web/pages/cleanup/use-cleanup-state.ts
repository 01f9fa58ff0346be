import { useEffect, useMemo, useState } from 'react';
import type { Policy } from '../../../shared/schemas/index.js';
import { useDebouncedValue } from '../../use-debounced-value.js';
import { fromSearch, overridesFromSearch, overridesOf, retentionSearch, toSearch, type RetentionDraft } from './plan-view.js';

/** Typing a number asks for one plan, not one per key. */
const RETENTION_DEBOUNCE_MS = 400;
const PATH = '/cleanup';

/**
 * The page's choices (policy, retention being typed) and their settled form, kept in the URL query so a
 * reload or a shared link shows the same plan. The URL is replaced, not pushed: Back leaves the page.
 */
export function useCleanupState() {
  const [initial] = useState(() => fromSearch(window.location.search));
  const [policy, setPolicy] = useState<Policy>(initial.policy);
  const [draft, setDraft] = useState<RetentionDraft>(initial.draft);

  // Debounced as a string: a fresh object every render would restart the timer forever.
  const typed = retentionSearch(overridesOf(draft));
  const settled = useDebouncedValue(typed, RETENTION_DEBOUNCE_MS);
  // A policy click is answered at once; only the retention waits for typing to stop.
  const overrides = useMemo(() => overridesFromSearch(settled), [settled]);
  const search = toSearch(policy, overrides);

  useEffect(() => {
    // The page may be on its way out (navigate() already moved on): never write another page's URL.
    if (window.location.pathname.replace(/\/+$/, '') !== PATH) return;
    if (window.location.search === `?${search}`) return;
    window.history.replaceState(window.history.state, '', `${PATH}?${search}${window.location.hash}`);
  }, [search]);

  return {
    policy,
    setPolicy,
    draft,
    setDraft,
    overrides,
    /** True while typed retention has not reached the plan yet. */
    pending: typed !== settled,
  };
}
