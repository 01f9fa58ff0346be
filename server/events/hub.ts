import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { ServerEvent } from '../../shared/schemas/events.js';

/** Distributes the union of `ServerEvent` without its `version`, which the hub stamps. */
type WithoutVersion<T> = T extends unknown ? Omit<T, 'version'> : never;
export type EventInput = WithoutVersion<Exclude<ServerEvent, { type: 'hello' }>>;

export interface Stamped {
  /** SSE id: `<serverId>.<seq>`; a restart changes serverId, so old ids get `reset`. */
  id: string;
  seq: number;
  event: ServerEvent;
}

/**
 * The one event channel: stamps each event with a sequence number and the
 * index version, keeps the last `capacity` for `Last-Event-ID` resume.
 */
export class EventHub {
  readonly serverId = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly ring: Stamped[] = [];
  private readonly emitter = new EventEmitter();

  constructor(
    /** The index version stamped on events; the scanner supplies it once it exists. */
    private versionOf: () => number = () => 0,
    private readonly capacity = 2000,
  ) {
    this.emitter.setMaxListeners(0);
  }

  setVersionSource(fn: () => number): void {
    this.versionOf = fn;
  }

  get version(): number {
    return this.versionOf();
  }

  publish(input: EventInput): Stamped {
    const event = { ...input, version: this.versionOf() } as ServerEvent;
    const stamped: Stamped = { id: `${this.serverId}.${++this.seq}`, seq: this.seq, event };
    this.ring.push(stamped);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    this.emitter.emit('event', stamped);
    return stamped;
  }

  /**
   * What a client that last saw `lastId` missed, or null when that cannot be
   * replayed (another server instance, or too old): the client must reset.
   */
  since(lastId: string): Stamped[] | null {
    const m = /^([0-9a-f]+)\.(\d+)$/.exec(lastId);
    if (!m || m[1] !== this.serverId) return null;
    const last = Number(m[2]);
    if (last > this.seq) return null;
    if (last === this.seq) return [];
    const first = this.ring[0];
    if (!first || first.seq > last + 1) return null;
    return this.ring.filter((s) => s.seq > last);
  }

  subscribe(fn: (s: Stamped) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }

  get listeners(): number {
    return this.emitter.listenerCount('event');
  }

  get lastSeq(): number {
    return this.seq;
  }
}
