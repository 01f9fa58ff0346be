/**
 * Paths waiting to be applied, grouped by folder, each distinct name once.
 * A folder marked whole (an event without a name, a lost watch, a poll) is
 * re-read instead of its names.
 */
export class PathQueue {
  private folders = new Map<string, Set<string> | null>();

  /** Past this many names one folder is re-read whole: memory stays bounded in any burst. */
  constructor(private readonly maxNames = 4096) {}

  get size(): number {
    return this.folders.size;
  }

  addName(folder: string, name: string): void {
    const names = this.folders.get(folder);
    if (names === null) return;
    if (names === undefined) this.folders.set(folder, new Set([name]));
    else if (names.size >= this.maxNames) this.folders.set(folder, null);
    else names.add(name);
  }

  addFolder(folder: string): void {
    this.folders.set(folder, null);
  }

  /** Everything queued so far (null: the whole folder); the queue starts empty again. */
  take(): Map<string, Set<string> | null> {
    const out = this.folders;
    this.folders = new Map();
    return out;
  }

  clear(): void {
    this.folders.clear();
  }
}
