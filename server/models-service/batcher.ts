/** Collects items and hands them over together, at most once per `delayMs`. */
export class Batcher<T> {
  private readonly items = new Set<T>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly delayMs: number,
    private readonly flush: (items: T[]) => void,
  ) {}

  add(item: T): void {
    this.items.add(item);
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const items = [...this.items];
      this.items.clear();
      this.flush(items);
    }, this.delayMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
