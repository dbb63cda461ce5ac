import { requireNonNull } from '../../errors.js';
import type { Deserializer, Serde, Serializer } from '../../serdes/Serde.js';
import { Window, Windowed } from '../../windowing/Window.js';
import type { KeyValueIterator } from '../KeyValueStore.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import type { SessionStore } from '../WindowStore.js';
import { CachingSessionStore } from './CachingSessionStore.js';
import type { TypedFlushListener, ValueCodec } from './MeteredKeyValueStore.js';
import { type SessionBytesStore, type SessionEntry, WrappedSessionBytesStore } from './SessionBytesStore.js';
import { decodingIterator, encodeStoreKey, showKey, valueDecodeError } from './StoreCodecSupport.js';

const NO_LOWER = Number.NEGATIVE_INFINITY;
const NO_UPPER = Number.POSITIVE_INFINITY;

/**
 * The typed top of a session store stack (Kafka's MeteredSessionStore): the
 * only layer that knows K and AGG. Session keys are Windowed<K> with the
 * window [start, end], both inclusive; a value that fails to deserialize
 * raises an error naming the store, the key and the session.
 */
export class MeteredSessionStore<K, AGG> implements SessionStore<K, AGG> {
  private keySer!: Serializer<K>;
  private keyDe!: Deserializer<K>;
  private codec!: ValueCodec<AGG>;
  private topic = '';

  constructor(
    private readonly inner: SessionBytesStore,
    private readonly keySerde: Serde<K> | null,
    private readonly makeCodec: (valueSerde: Serde<unknown>) => ValueCodec<AGG>,
    private readonly valueSerde: Serde<unknown> | null,
  ) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  get retentionPeriod(): number {
    return this.inner.retentionPeriod;
  }

  init(context: StoreContext, root: StateStore): void {
    const keySerde = (this.keySerde ?? context.defaultKeySerde) as Serde<K>;
    this.keySer = keySerde.serializer();
    this.keyDe = keySerde.deserializer();
    this.codec = this.makeCodec(this.valueSerde ?? context.defaultValueSerde);
    // serdes see the changelog topic name, as in Kafka
    this.topic = `${context.applicationId}-${this.name}-changelog`;
    this.inner.init(context, root);
  }

  /**
   * Forwards flushed cache entries as typed changes of session keys. Returns
   * false when the stack has no cache, in which case the caller must forward
   * by itself.
   */
  setFlushListener(listener: TypedFlushListener<Windowed<K>, AGG>, sendOldValues: boolean): boolean {
    let layer: SessionBytesStore = this.inner;
    while (layer instanceof WrappedSessionBytesStore) {
      if (layer instanceof CachingSessionStore) {
        return layer.setFlushListener((k, start, end, nv, ov, ctx) => {
          const e = { key: k, start, end };
          listener(
            this.sessionKey(k, start, end),
            nv === null ? null : this.decodeValue({ ...e, value: nv }),
            ov === null ? null : this.decodeValue({ ...e, value: ov }),
            ctx,
          );
        }, sendOldValues);
      }
      layer = layer.wrapped();
    }
    return false;
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

  /** Writes a session's aggregate; null removes the session. */
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    const { kb, window } = this.encodeSessionKey(sessionKey);
    const raw = aggregate === null || aggregate === undefined ? null : this.codec.encode(this.topic, aggregate);
    this.inner.put(kb, window.start, window.end, raw);
  }

  remove(sessionKey: Windowed<K>): void {
    const { kb, window } = this.encodeSessionKey(sessionKey);
    this.inner.remove(kb, window.start, window.end);
  }

  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): AGG | null {
    const kb = this.encodeKey(key);
    const raw = this.inner.fetchSession(kb, sessionStartTime, sessionEndTime);
    return raw === null ? null : this.decodeValue({ key: kb, start: sessionStartTime, end: sessionEndTime, value: raw });
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueIterator<Windowed<K>, AGG>;
  findSessions(keyFrom: K | null, keyTo: K | null, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueIterator<Windowed<K>, AGG>;
  findSessions(a: K | null, b: K | number | null, c: number, d?: number): KeyValueIterator<Windowed<K>, AGG> {
    return d === undefined ? this.one(a as K, b as number, c, false) : this.range(a, b as K | null, c, d, false);
  }

  /** As findSessions, in exactly the reverse order. The key-range form is Kafka's too, beyond the interface. */
  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueIterator<Windowed<K>, AGG>;
  backwardFindSessions(keyFrom: K | null, keyTo: K | null, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueIterator<Windowed<K>, AGG>;
  backwardFindSessions(a: K | null, b: K | number | null, c: number, d?: number): KeyValueIterator<Windowed<K>, AGG> {
    return d === undefined ? this.one(a as K, b as number, c, true) : this.range(a, b as K | null, c, d, true);
  }

  fetch(key: K): KeyValueIterator<Windowed<K>, AGG>;
  fetch(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>;
  fetch(...keys: [K] | [K | null, K | null]): KeyValueIterator<Windowed<K>, AGG> {
    return keys.length === 1 ? this.one(keys[0], NO_LOWER, NO_UPPER, false) : this.range(keys[0], keys[1], NO_LOWER, NO_UPPER, false);
  }

  /** As fetch, in exactly the reverse order. The key-range form is Kafka's too, beyond the interface. */
  backwardFetch(key: K): KeyValueIterator<Windowed<K>, AGG>;
  backwardFetch(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>;
  backwardFetch(...keys: [K] | [K | null, K | null]): KeyValueIterator<Windowed<K>, AGG> {
    return keys.length === 1 ? this.one(keys[0], NO_LOWER, NO_UPPER, true) : this.range(keys[0], keys[1], NO_LOWER, NO_UPPER, true);
  }

  /** Sessions of every key ending in [earliestSessionEndTime, latestSessionEndTime] (Kafka's findSessions(long, long)). */
  findSessionsByEndTime(earliestSessionEndTime: number, latestSessionEndTime: number): KeyValueIterator<Windowed<K>, AGG> {
    return this.typed(this.inner.findSessionsByEndTime(earliestSessionEndTime, latestSessionEndTime));
  }

  /** One key's sessions; unlike the range forms, the key must not be null (Kafka's NullPointerException). */
  private one(key: K, earliestEnd: number, latestStart: number, backward: boolean): KeyValueIterator<Windowed<K>, AGG> {
    const kb = this.encodeKey(key);
    return this.typed(this.inner.findSessions(kb, kb, earliestEnd, latestStart, backward));
  }

  private range(keyFrom: K | null, keyTo: K | null, earliestEnd: number, latestStart: number, backward: boolean): KeyValueIterator<Windowed<K>, AGG> {
    return this.typed(this.inner.findSessions(this.encodeBound(keyFrom), this.encodeBound(keyTo), earliestEnd, latestStart, backward));
  }

  private typed(entries: SessionEntry[]): KeyValueIterator<Windowed<K>, AGG> {
    return decodingIterator(
      entries,
      (e) => this.sessionKey(e.key, e.start, e.end),
      (e) => this.decodeValue(e),
    );
  }

  private sessionKey(kb: Buffer, start: number, end: number): Windowed<K> {
    return new Windowed(this.decodeKey(kb), new Window(start, end));
  }

  private encodeSessionKey(sessionKey: Windowed<K>): { kb: Buffer; window: Window } {
    requireNonNull(sessionKey, 'sessionKey');
    const window = requireNonNull(sessionKey.window, 'sessionKey.window');
    return { kb: this.encodeKey(sessionKey.key), window };
  }

  private encodeKey(key: K): Buffer {
    return encodeStoreKey(this.name, this.keySer, this.topic, key);
  }

  private encodeBound(key: K | null): Buffer | null {
    return key === null || key === undefined ? null : this.encodeKey(key);
  }

  private decodeKey(kb: Buffer): K {
    return this.keyDe.deserialize(this.topic, kb) as K;
  }

  private decodeValue(e: SessionEntry): AGG {
    try {
      return this.codec.decode(this.topic, e.value);
    } catch (err) {
      throw valueDecodeError(this.name, `${showKey(() => this.decodeKey(e.key), e.key)} (session [${e.start}, ${e.end}])`, err);
    }
  }
}
