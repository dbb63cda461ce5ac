import type { Deserializer, Serde, Serializer } from '../../serdes/Serde.js';
import { Window, Windowed } from '../../windowing/Window.js';
import type { KeyValueIterator } from '../KeyValueStore.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import type { WindowStore } from '../WindowStore.js';
import { CachingWindowStore } from './CachingWindowStore.js';
import type { TypedFlushListener, ValueCodec } from './MeteredKeyValueStore.js';
import { decodingIterator, encodeStoreKey, showKey, valueDecodeError } from './StoreCodecSupport.js';
import { type WindowBytesStore, type WindowEntry, WrappedWindowBytesStore } from './WindowBytesStore.js';
import { timeWindowEnd } from './WindowKeySchema.js';

/**
 * The typed top of a window store stack (Kafka's MeteredWindowStore): the only
 * layer that knows K and V. Keys come back as Windowed<K> with the window
 * [start, start + windowSize); a value that fails to deserialize raises an
 * error naming the store, the key and the window.
 */
export class MeteredWindowStore<K, V> implements WindowStore<K, V> {
  private keySer!: Serializer<K>;
  private keyDe!: Deserializer<K>;
  private codec!: ValueCodec<V>;
  private topic = '';

  constructor(
    private readonly inner: WindowBytesStore,
    private readonly keySerde: Serde<K> | null,
    private readonly makeCodec: (valueSerde: Serde<unknown>) => ValueCodec<V>,
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
  get windowSize(): number {
    return this.inner.windowSize;
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
   * Forwards flushed cache entries as typed changes of windowed keys. Returns
   * false when the stack has no cache, in which case the caller must forward
   * by itself.
   */
  setFlushListener(listener: TypedFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    let layer: WindowBytesStore = this.inner;
    while (layer instanceof WrappedWindowBytesStore) {
      if (layer instanceof CachingWindowStore) {
        return layer.setFlushListener(
          (k, start, nv, ov, ctx) =>
            listener(
              this.windowedKey(k, start),
              nv === null ? null : this.decodeValue(k, start, nv),
              ov === null ? null : this.decodeValue(k, start, ov),
              ctx,
            ),
          sendOldValues,
        );
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

  put(key: K, value: V | null, windowStartTimestamp: number): void {
    const kb = this.encodeKey(key);
    this.inner.put(kb, value === null || value === undefined ? null : this.codec.encode(this.topic, value), windowStartTimestamp);
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V>;
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  fetch(
    a: K | null,
    b: K | number | null,
    c?: number,
    d?: number,
  ): V | null | KeyValueIterator<number, V> | KeyValueIterator<Windowed<K>, V> {
    if (d !== undefined) return this.range(a, b as K | null, c as number, d, false);
    if (c !== undefined) return this.single(a as K, b as number, c, false);
    const kb = this.encodeKey(a as K);
    const raw = this.inner.fetch(kb, b as number);
    return raw === null ? null : this.decodeValue(kb, b as number, raw);
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V>;
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  backwardFetch(a: K | null, b: K | number | null, c: number, d?: number): KeyValueIterator<number, V> | KeyValueIterator<Windowed<K>, V> {
    if (d !== undefined) return this.range(a, b as K | null, c, d, true);
    return this.single(a as K, b as number, c, true);
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    return this.windowed(this.inner.fetchAll(timeFrom, timeTo, false));
  }
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    return this.windowed(this.inner.fetchAll(timeFrom, timeTo, true));
  }
  all(): KeyValueIterator<Windowed<K>, V> {
    return this.windowed(this.inner.all(false));
  }
  backwardAll(): KeyValueIterator<Windowed<K>, V> {
    return this.windowed(this.inner.all(true));
  }

  /** One key's windows; iterator keys are window starts (Kafka's WindowStoreIterator). */
  private single(key: K, timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<number, V> {
    const kb = this.encodeKey(key);
    return decodingIterator(
      this.inner.fetchRange(kb, kb, timeFrom, timeTo, backward),
      (e) => e.windowStart,
      (e) => this.decodeValue(e.key, e.windowStart, e.value),
    );
  }

  private range(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<Windowed<K>, V> {
    return this.windowed(this.inner.fetchRange(this.encodeBound(keyFrom), this.encodeBound(keyTo), timeFrom, timeTo, backward));
  }

  private windowed(entries: WindowEntry[]): KeyValueIterator<Windowed<K>, V> {
    return decodingIterator(
      entries,
      (e) => this.windowedKey(e.key, e.windowStart),
      (e) => this.decodeValue(e.key, e.windowStart, e.value),
    );
  }

  private windowedKey(kb: Buffer, windowStart: number): Windowed<K> {
    return new Windowed(this.decodeKey(kb), new Window(windowStart, timeWindowEnd(windowStart, this.windowSize)));
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

  private decodeValue(kb: Buffer, windowStart: number, raw: Buffer): V {
    try {
      return this.codec.decode(this.topic, raw);
    } catch (e) {
      throw valueDecodeError(this.name, `${showKey(() => this.decodeKey(kb), kb)} (window start ${windowStart})`, e);
    }
  }
}
