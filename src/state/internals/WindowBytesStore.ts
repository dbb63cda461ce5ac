import type { StateStore, StoreContext } from '../StateStore.js';

/** One window of one key, in bytes, as the byte-level window store layers return it. */
export interface WindowEntry {
  readonly key: Buffer;
  readonly windowStart: number;
  readonly value: Buffer;
}

/**
 * The byte-level window store interface (Kafka's `WindowStore<Bytes, byte[]>`)
 * shared by the bottom store and the logging and caching layers. Range reads
 * return snapshots in Kafka's in-memory order: by window start, then key
 * bytes (unsigned); `backward` reverses that order exactly.
 */
export interface WindowBytesStore extends StateStore {
  readonly retentionPeriod: number;
  readonly windowSize: number;
  /** Every put of a non-null value is kept as its own entry (stream-stream join buffers). */
  readonly retainDuplicates: boolean;
  /** The largest window start put so far (Kafka's observedStreamTime); -1 before the first put. */
  readonly observedStreamTime: number;
  /** Writes one window; null deletes it (a no-op when duplicates are retained). */
  put(key: Buffer, value: Buffer | null, windowStart: number): void;
  /** The value of exactly this window, or null (always null when duplicates are retained, as in Kafka's in-memory store). */
  fetch(key: Buffer, windowStart: number): Buffer | null;
  /** Windows of keys in [keyFrom, keyTo] (null bounds are open) with start in [timeFrom, timeTo]. */
  fetchRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[];
  /** Every window with start in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number, backward: boolean): WindowEntry[];
  /** Every unexpired window. */
  all(backward: boolean): WindowEntry[];
}

/**
 * The time below which windows (by start) and sessions (by end) are expired:
 * Kafka's removeExpiredSegments bound, max(0, streamTime - retention + 1).
 * The clamp at 0 is Kafka's too: negative times are gone after the first put.
 */
export function liveFrom(observedStreamTime: number, retentionPeriod: number): number {
  return Math.max(0, observedStreamTime - retentionPeriod + 1);
}

/** A byte-level window layer that passes every call to the layer below; layers override what they change. */
export abstract class WrappedWindowBytesStore implements WindowBytesStore {
  constructor(protected readonly inner: WindowBytesStore) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  get retentionPeriod(): number {
    return this.inner.retentionPeriod;
  }
  get windowSize(): number {
    return this.inner.windowSize;
  }
  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }
  get observedStreamTime(): number {
    return this.inner.observedStreamTime;
  }
  /** The layer below this one. */
  wrapped(): WindowBytesStore {
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
  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.inner.put(key, value, windowStart);
  }
  fetch(key: Buffer, windowStart: number): Buffer | null {
    return this.inner.fetch(key, windowStart);
  }
  fetchRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    return this.inner.fetchRange(keyFrom, keyTo, timeFrom, timeTo, backward);
  }
  fetchAll(timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    return this.inner.fetchAll(timeFrom, timeTo, backward);
  }
  all(backward: boolean): WindowEntry[] {
    return this.inner.all(backward);
  }
}
