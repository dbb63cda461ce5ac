import type { Serde } from '../serdes/Serde.js';
import { CachingKeyValueStore } from './internals/CachingKeyValueStore.js';
import {
  ChangeLoggingKeyValueStore,
  PLAIN_CHANGELOG_FORMAT,
  TIMESTAMPED_CHANGELOG_FORMAT,
} from './internals/ChangeLoggingKeyValueStore.js';
import { InMemoryKeyValueStore } from './internals/InMemoryKeyValueStore.js';
import { MeteredKeyValueStore, plainCodec, type ValueCodec } from './internals/MeteredKeyValueStore.js';
import { timestampedCodec } from './internals/TimestampedCodec.js';
import type { KeyValueStore } from './KeyValueStore.js';
import { AbstractStoreBuilder } from './StoreBuilder.js';
import type { ValueAndTimestamp } from './ValueAndTimestamp.js';

/** Makes the byte-level bottom of a key-value store (in-memory now; RocksDB behind the same interface). */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  get(): KeyValueStore<Buffer, Buffer>;
}

/** A key-value store whose values carry the timestamp of their last update. */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;

/** Which value layout a key-value builder stores. */
export type KeyValueStoreKind = 'keyValue' | 'timestampedKeyValue';

/** Builds MeteredKeyValueStore over [caching] over [change-logging] over the supplied bytes store. */
export class KeyValueStoreBuilder<K, V, S extends KeyValueStore<K, unknown>> extends AbstractStoreBuilder<S> {
  constructor(
    private readonly supplier: KeyValueBytesStoreSupplier,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly kind: KeyValueStoreKind,
  ) {
    super(supplier.name);
  }

  get persistent(): boolean {
    return this.supplier.persistent;
  }

  build(): S {
    let store: KeyValueStore<Buffer, Buffer> = this.supplier.get();
    if (this.loggingEnabled) {
      const format = this.kind === 'timestampedKeyValue' ? TIMESTAMPED_CHANGELOG_FORMAT : PLAIN_CHANGELOG_FORMAT;
      store = new ChangeLoggingKeyValueStore(store, format);
    }
    if (this.cachingEnabled) store = new CachingKeyValueStore(store);
    const makeCodec =
      this.kind === 'timestampedKeyValue'
        ? (serde: Serde<unknown>) => timestampedCodec<V>(serde) as ValueCodec<unknown>
        : (serde: Serde<unknown>) => plainCodec<V>(serde) as ValueCodec<unknown>;
    return new MeteredKeyValueStore<K, unknown>(
      store,
      this.keySerde,
      makeCodec,
      this.valueSerde as Serde<unknown> | null,
    ) as unknown as S;
  }
}

/** Factory for store suppliers and builders, with Kafka's names. */
export const Stores = {
  /** An in-memory key-value store supplier. */
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return { name, persistent: false, get: () => new InMemoryKeyValueStore(name) };
  },

  /** A builder of a typed key-value store. Caching is off and logging on, as in Kafka. */
  keyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): KeyValueStoreBuilder<K, V, KeyValueStore<K, V>> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde, 'keyValue');
  },

  /** A builder of a key-value store whose values carry timestamps (what the DSL uses). */
  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): KeyValueStoreBuilder<K, V, TimestampedKeyValueStore<K, V>> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde, 'timestampedKeyValue');
  },
};
