import { SerializationError } from '../../errors.js';
import type { Deserializer, Serde, Serializer } from '../../serdes/Serde.js';
import type { KeyValue, KeyValueIterator, KeyValueStore } from '../KeyValueStore.js';
import type { RecordContext, StateStore, StoreContext } from '../StateStore.js';
import { CachingKeyValueStore } from './CachingKeyValueStore.js';
import { WrappedKeyValueStore } from './WrappedKeyValueStore.js';

/** Turns a store value into bytes and back; the timestamped format adds an 8-byte timestamp prefix. */
export interface ValueCodec<V> {
  encode(topic: string, value: V): Buffer | null;
  decode(topic: string, bytes: Buffer): V;
}

/** Receives typed changes flushed from a caching layer. */
export type TypedFlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, context: RecordContext) => void;

/**
 * The typed top of a key-value store stack: the only layer that knows K and V.
 * It serializes on the way down and deserializes on the way up; a value that
 * fails to deserialize raises an error naming the store and the key.
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  private keySer!: Serializer<K>;
  private keyDe!: Deserializer<K>;
  private codec!: ValueCodec<V>;
  private topic = '';
  private lastKey: K | undefined = undefined;
  private lastKeyBytes: Buffer | null = null;

  constructor(
    private readonly inner: KeyValueStore<Buffer, Buffer>,
    /** The key serde; null means the application default; a function wraps the default (e.g. composite keys). */
    private keySerde: Serde<K> | null | ((defaultKeySerde: Serde<unknown>) => Serde<K>),
    private readonly makeCodec: (valueSerde: Serde<unknown>) => ValueCodec<V>,
    private valueSerde: Serde<unknown> | null,
  ) {}

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StoreContext, root: StateStore): void {
    const keySerde =
      typeof this.keySerde === 'function' ? this.keySerde(context.defaultKeySerde) : ((this.keySerde ?? context.defaultKeySerde) as Serde<K>);
    this.keySer = keySerde.serializer();
    this.keyDe = keySerde.deserializer();
    this.codec = this.makeCodec(this.valueSerde ?? context.defaultValueSerde);
    // serdes see the changelog topic name, as in Kafka
    this.topic = `${context.applicationId}-${this.name}-changelog`;
    this.inner.init(context, root);
  }

  /**
   * Forwards flushed cache entries as typed changes. Returns false when the
   * stack has no cache, in which case the caller must forward by itself.
   */
  setFlushListener(listener: TypedFlushListener<K, V>, sendOldValues: boolean): boolean {
    let layer: KeyValueStore<Buffer, Buffer> = this.inner;
    while (layer instanceof WrappedKeyValueStore) {
      if (layer instanceof CachingKeyValueStore) {
        return layer.setFlushListener(
          (k, nv, ov, ctx) =>
            listener(
              this.decodeKey(k),
              nv === null ? null : this.decodeValue(k, nv),
              ov === null ? null : this.decodeValue(k, ov),
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

  get(key: K): V | null {
    const kb = this.encodeKey(key);
    const raw = this.inner.get(kb);
    return raw === null ? null : this.decodeValue(kb, raw);
  }

  put(key: K, value: V | null): void {
    const kb = this.encodeKey(key);
    this.inner.put(kb, value === null || value === undefined ? null : this.codec.encode(this.topic, value));
  }

  putIfAbsent(key: K, value: V | null): V | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): void {
    for (const e of entries) this.put(e.key, e.value);
  }

  delete(key: K): V | null {
    const kb = this.encodeKey(key);
    const old = this.inner.delete(kb);
    return old === null ? null : this.decodeValue(kb, old);
  }

  range(from: K | null, to: K | null): KeyValueIterator<K, V> {
    return this.typed(this.inner.range(this.encodeBound(from), this.encodeBound(to)));
  }
  reverseRange(from: K | null, to: K | null): KeyValueIterator<K, V> {
    return this.typed(this.inner.reverseRange(this.encodeBound(from), this.encodeBound(to)));
  }
  all(): KeyValueIterator<K, V> {
    return this.typed(this.inner.all());
  }
  reverseAll(): KeyValueIterator<K, V> {
    return this.typed(this.inner.reverseAll());
  }
  prefixScan<P>(prefix: P, prefixSerializer: Serializer<P>): KeyValueIterator<K, V> {
    return this.typed(this.inner.prefixScan(prefix, prefixSerializer));
  }
  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  private encodeKey(key: K): Buffer {
    // a get followed by a put of the same primitive key is the common case: serialize once
    if (key === this.lastKey && this.lastKeyBytes !== null) return this.lastKeyBytes;
    if (key === null || key === undefined) throw new SerializationError(`Store ${this.name} does not accept null keys`);
    const kb = this.keySer.serialize(this.topic, key);
    if (typeof key === 'string' || typeof key === 'number') {
      this.lastKey = key;
      this.lastKeyBytes = kb;
    }
    if (kb === null) throw new SerializationError(`Key serializer of store ${this.name} returned null for key ${String(key)}`);
    return kb;
  }

  private encodeBound(key: K | null): Buffer | null {
    return key === null || key === undefined ? null : this.encodeKey(key);
  }

  private decodeKey(kb: Buffer): K {
    return this.keyDe.deserialize(this.topic, kb) as K;
  }

  private decodeValue(kb: Buffer, raw: Buffer): V {
    try {
      return this.codec.decode(this.topic, raw);
    } catch (e) {
      let shownKey: string;
      try {
        shownKey = String(this.decodeKey(kb));
      } catch {
        shownKey = kb.toString('hex');
      }
      throw new SerializationError(
        `Store ${this.name}: the value of key ${shownKey} does not deserialize with the store's value serde (${(e as Error).message}). ` +
          'Check that the serde matches the one the data was written with, or reset the application state.',
        { cause: e },
      );
    }
  }

  private typed(it: KeyValueIterator<Buffer, Buffer>): KeyValueIterator<K, V> {
    const self = this;
    return {
      next(): IteratorResult<KeyValue<K, V>> {
        const n = it.next();
        if (n.done) return { done: true, value: undefined };
        return { done: false, value: { key: self.decodeKey(n.value.key), value: self.decodeValue(n.value.key, n.value.value) } };
      },
      peekNextKey(): K | undefined {
        const k = it.peekNextKey();
        return k === undefined ? undefined : self.decodeKey(k);
      },
      close(): void {
        it.close();
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  }
}

/** The plain value codec: the value serde as is. */
export function plainCodec<V>(serde: Serde<unknown>): ValueCodec<V> {
  const ser = serde.serializer() as Serializer<V>;
  const de = serde.deserializer() as Deserializer<V>;
  return {
    encode: (topic, v) => ser.serialize(topic, v),
    decode: (topic, b) => de.deserialize(topic, b) as V,
  };
}
