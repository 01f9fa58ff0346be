// Background work in short slices: as many steps as fit in `sliceMs`, then
// a turn of the event loop (setImmediate), so requests are answered between
// reads. One step is one folder enumerated or one checkpoint read.

export class SliceRunner {
  private running = false;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(
    /** Does one step; false when there is nothing left to do. */
    private readonly step: () => boolean,
    private readonly sliceMs: number,
  ) {}

  /** Starts working if not already (call after adding work). */
  kick(): void {
    if (this.stopped) return this.wake();
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.loop());
  }

  /** Resolves once a run finds nothing left to do (or the runner stopped). */
  drained(): Promise<void> {
    if (!this.running || this.stopped) return Promise.resolve();
    return new Promise<void>((r) => this.waiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped) {
        const deadline = performance.now() + this.sliceMs;
        let worked = false;
        while (!this.stopped && performance.now() < deadline && this.step()) worked = true;
        if (!worked) break;
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
      this.wake();
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
