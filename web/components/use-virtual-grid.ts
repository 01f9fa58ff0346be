import { useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

/** Height of the sticky header row the Tree and Models grids share; the virtual rows start below it. */
export const GRID_HEADER_HEIGHT = 34;

/**
 * The virtualizer and keyboard stepping shared by the Tree and Models grids: rows of a fixed height in a scrolling
 * element that also holds the header.
 */
export function useVirtualGrid(count: number, rowHeight: number) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    scrollMargin: GRID_HEADER_HEIGHT,
  });

  /** Clamps `index` to the rows and scrolls it into view; null when there are no rows. */
  const scrollTo = (index: number): number | null => {
    if (count === 0) return null;
    const target = Math.max(0, Math.min(count - 1, index));
    virtualizer.scrollToIndex(target, { align: 'auto' });
    return target;
  };

  /** Where ↑ ↓ PageUp PageDown Home End lead from `current` (-1 when nothing is selected); null for other keys. */
  const step = (key: string, current: number): number | null => {
    const perPage = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / rowHeight) - 2);
    switch (key) {
      case 'ArrowDown':
        return current + 1;
      case 'ArrowUp':
        return current < 0 ? 0 : current - 1;
      case 'PageDown':
        return current + perPage;
      case 'PageUp':
        return current - perPage;
      case 'Home':
        return 0;
      case 'End':
        return count - 1;
      default:
        return null;
    }
  };

  return { scrollRef, virtualizer, items: virtualizer.getVirtualItems(), scrollTo, step };
}

/**
 * Whether the grid handles this key press itself (one of `keys`, no Alt/Ctrl/Meta, pressed on the grid rather than
 * on a sort button, which keeps its button meaning); if so, its default is prevented.
 */
export function takeGridKey(e: KeyboardEvent<HTMLElement>, keys: ReadonlySet<string>): boolean {
  if (e.target !== e.currentTarget) return false;
  if (!keys.has(e.key) || e.altKey || e.ctrlKey || e.metaKey) return false;
  e.preventDefault();
  return true;
}
