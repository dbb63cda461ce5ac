import type { StateStore, StoreContext } from '../StateStore.js';

/** One session of one key, in bytes; start and end are both inclusive. */
export interface SessionEntry {
  readonly key: Buffer;
  readonly start: number;
  readonly end: number;
  readonly value: Buffer;
}

/**
 * The byte-level session store interface (Kafka's `SessionStore<Bytes, byte[]>`)
 * shared by the bottom store and the logging and caching layers. Reads return
 * snapshots in Kafka's in-memory order: by end time, then key bytes, then
 * start time descending; `backward` reverses that order exactly.
 */
export interface SessionBytesStore extends StateStore {
  readonly retentionPeriod: number;
  /** The largest session end put so far (Kafka's observedStreamTime); -1 before the first put. */
  readonly observedStreamTime: number;
  /** Writes one session; null removes it. */
  put(key: Buffer, start: number, end: number, value: Buffer | null): void;
  remove(key: Buffer, start: number, end: number): void;
  /** The aggregate of exactly this session, or null. */
  fetchSession(key: Buffer, start: number, end: number): Buffer | null;
  /**
   * Sessions of keys in [keyFrom, keyTo] (null bounds are open) that end at or
   * after `earliestSessionEndTime` and start at or before `latestSessionStartTime`.
   */
  findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): SessionEntry[];
  /**
   * Sessions of every key that end in [earliestSessionEndTime, latestSessionEndTime]
   * (Kafka's `findSessions(long, long)`, the range fetch of session emit-on-close),
   * in the same order as findSessions.
   */
  findSessionsByEndTime(earliestSessionEndTime: number, latestSessionEndTime: number): SessionEntry[];
}

/** Orders sessions as Kafka's in-memory session store iterates them forward: end, key bytes, then start descending. */
export function compareSessions(a: SessionEntry, b: SessionEntry): number {
  return a.end - b.end || Buffer.compare(a.key, b.key) || b.start - a.start;
}

/** A byte-level session layer that passes every call to the layer below; layers override what they change. */
export abstract class WrappedSessionBytesStore implements SessionBytesStore {
  constructor(protected readonly inner: SessionBytesStore) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  get retentionPeriod(): number {
    return this.inner.retentionPeriod;
  }
  get observedStreamTime(): number {
    return this.inner.observedStreamTime;
  }
  /** The layer below this one. */
  wrapped(): SessionBytesStore {
    return this.inner;
  }
  init(context: StoreContext, root: StateStore): void {
    this.inner.init(context, root);
  }
  flush(): void {
    this.inner.flush();
  }
  close(): void {
    this.inner.close();
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }
  put(key: Buffer, start: number, end: number, value: Buffer | null): void {
    this.inner.put(key, start, end, value);
  }
  remove(key: Buffer, start: number, end: number): void {
    this.inner.remove(key, start, end);
  }
  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    return this.inner.fetchSession(key, start, end);
  }
  findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): SessionEntry[] {
    return this.inner.findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, backward);
  }
  findSessionsByEndTime(earliestSessionEndTime: number, latestSessionEndTime: number): SessionEntry[] {
    return this.inner.findSessionsByEndTime(earliestSessionEndTime, latestSessionEndTime);
  }
}
