import type { Windowed } from '../windowing/Window.js';
import type { KeyValueIterator } from './KeyValueStore.js';
import type { StateStore } from './StateStore.js';

/**
 * The read side of a window store (Kafka's `ReadOnlyWindowStore`). Windows are
 * identified by their start time; fetches take inclusive time bounds on the
 * window start. Windowed keys carry the window [start, start + windowSize).
 *
 * Stream time is the largest window start ever put (reads never advance it).
 * A window whose start is at or before streamTime - retentionPeriod has
 * expired: it is never returned, and a put to it is dropped.
 *
 * Multi-key results come in Kafka's in-memory order: by window start, then by
 * serialized key bytes (unsigned); the backward variants return exactly the
 * reverse. A key range whose `keyFrom` serializes after `keyTo` is empty.
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of one window of one key, or null (always null when the store retains duplicates, as Kafka's in-memory store). */
  fetch(key: K, windowStart: number): V | null;
  /** The windows of one key with timeFrom <= start <= timeTo, by start time; iterator keys are window starts. Duplicates come in insertion order. */
  fetch(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V>;
  /** The windows of keys in [keyFrom, keyTo] (null = open) with start in [timeFrom, timeTo]. */
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  backwardFetch(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V>;
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  /** Every window of every key with start in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  all(): KeyValueIterator<Windowed<K>, V>;
  backwardAll(): KeyValueIterator<Windowed<K>, V>;
}

/**
 * A window store (Kafka's `WindowStore`). Putting null deletes the window;
 * when the store retains duplicates (stream-stream joins) every non-null put
 * is kept as its own entry and a null put does nothing.
 */
export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V>, StateStore {
  put(key: K, value: V | null, windowStartTimestamp: number): void;
  /** How long windows are kept behind stream time. */
  readonly retentionPeriod: number;
  /** The window size the store was built for (used to compute window ends). */
  readonly windowSize: number;
}

/**
 * The read side of a session store (Kafka's `ReadOnlySessionStore`). Sessions
 * are [start, end], both inclusive, and Windowed keys carry exactly that window.
 *
 * Stream time is the largest session end ever put; a session that ends at or
 * before streamTime - retentionPeriod has expired and is never returned.
 * Results come in Kafka's in-memory order: by end time, then by serialized key
 * bytes, then by start time descending; backward variants are the exact reverse.
 */
export interface ReadOnlySessionStore<K, AGG> {
  /** Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before `latestSessionStartTime`. */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueIterator<Windowed<K>, AGG>;
  findSessions(keyFrom: K | null, keyTo: K | null, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueIterator<Windowed<K>, AGG>;
  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueIterator<Windowed<K>, AGG>;
  /** The aggregate of exactly this session, or null. */
  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): AGG | null;
  /** All sessions of one key, or of a key range (null bounds are open). */
  fetch(key: K): KeyValueIterator<Windowed<K>, AGG>;
  fetch(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>;
  backwardFetch(key: K): KeyValueIterator<Windowed<K>, AGG>;
}

/** A session store (Kafka's `SessionStore`). Putting a null aggregate removes the session, as `remove` does. */
export interface SessionStore<K, AGG> extends ReadOnlySessionStore<K, AGG>, StateStore {
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void;
  remove(sessionKey: Windowed<K>): void;
  readonly retentionPeriod: number;
}
