import { useCallback, useEffect, useRef } from 'react';

/** How long `t` waits for the details pane to load before giving up (a slow /api/entry). */
const WAIT_MS = 2_000;

/**
 * The `t` shortcut of the Tree and Models grids: moves the keyboard into the details pane's tag input, and Escape
 * there brings it back to the row it came from. The pane may still be loading the entry when `t` is pressed, so
 * the input is waited for, a frame at a time.
 */
export function useTagFocus() {
  const inputRef = useRef<HTMLInputElement>(null);
  const returnRef = useRef<HTMLElement | null>(null);
  const frameRef = useRef(0);

  useEffect(() => () => cancelAnimationFrame(frameRef.current), []);

  const focusTags = useCallback(() => {
    returnRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelAnimationFrame(frameRef.current);
    const until = performance.now() + WAIT_MS;
    const attempt = () => {
      const input = inputRef.current;
      if (input) {
        input.focus();
        return;
      }
      if (performance.now() < until) frameRef.current = requestAnimationFrame(attempt);
    };
    attempt();
  }, []);

  const returnFocus = useCallback(() => {
    const back = returnRef.current;
    returnRef.current = null;
    if (back?.isConnected) back.focus();
  }, []);

  return { inputRef, focusTags, returnFocus };
}
