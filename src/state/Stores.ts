import { IllegalArgumentError, requireNonNull } from '../errors.js';
import type { Serde } from '../serdes/Serde.js';
import { CachingKeyValueStore } from './internals/CachingKeyValueStore.js';
import {
  ChangeLoggingKeyValueStore,
  PLAIN_CHANGELOG_FORMAT,
  TIMESTAMPED_CHANGELOG_FORMAT,
} from './internals/ChangeLoggingKeyValueStore.js';
import { InMemoryKeyValueStore } from './internals/InMemoryKeyValueStore.js';
import { InMemorySessionStore } from './internals/InMemorySessionStore.js';
import { InMemoryWindowStore } from './internals/InMemoryWindowStore.js';
import { MeteredKeyValueStore, plainCodec, type ValueCodec } from './internals/MeteredKeyValueStore.js';
import { timestampedCodec } from './internals/TimestampedCodec.js';
import type { KeyValueStore } from './KeyValueStore.js';
import { RocksDBKeyValueStore } from './rocksdb/RocksDBKeyValueStore.js';
import type { RocksDBStoreOptions } from './rocksdb/RocksDBStoreCore.js';
import { RocksDBSessionStore } from './rocksdb/RocksDBSessionStore.js';
import { RocksDBWindowStore } from './rocksdb/RocksDBWindowStore.js';
import { checkPathComponent } from './rocksdb/TaskStateDirectory.js';
import { AbstractStoreBuilder, type DslStoreType } from './StoreBuilder.js';
import { type SessionBytesStoreSupplier, SessionStoreBuilder } from './SessionStoreBuilder.js';
import type { ValueAndTimestamp } from './ValueAndTimestamp.js';
import { type TimestampedWindowStore, type WindowBytesStoreSupplier, WindowStoreBuilder } from './WindowStoreBuilder.js';
import type { WindowStore } from './WindowStore.js';

export { SessionStoreBuilder, type SessionBytesStoreSupplier } from './SessionStoreBuilder.js';
export {
  WindowStoreBuilder,
  type TimestampedWindowStore,
  type WindowBytesStoreSupplier,
  type WindowStoreKind,
} from './WindowStoreBuilder.js';

/** Makes the byte-level bottom of a key-value store (in-memory or RocksDB, behind the same interface). */
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

  configure(defaultStoreType: DslStoreType): void {
    this.configureSupplier(this.supplier, defaultStoreType);
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

  /**
   * A RocksDB key-value store supplier (Kafka's persistentKeyValueStore). Data
   * lives in `<stateDir>/<applicationId>/<taskId>/rocksdb/<name>`; writes are
   * kept in memory until the task commits them with their changelog offset.
   */
  persistentKeyValueStore(name: string, options: RocksDBStoreOptions = {}): KeyValueBytesStoreSupplier {
    checkPathComponent(requireNonNull(name, 'name'), 'Store name');
    return { name, persistent: true, get: () => new RocksDBKeyValueStore(name, options) };
  },

  /**
   * A RocksDB store for timestamped key-value builders (Kafka's
   * persistentTimestampedKeyValueStore). The bytes store is the same: the
   * timestamp is part of the value layout, which the builder chooses.
   */
  persistentTimestampedKeyValueStore(name: string, options: RocksDBStoreOptions = {}): KeyValueBytesStoreSupplier {
    return Stores.persistentKeyValueStore(name, options);
  },

  /** A RocksDB window store supplier, with the retention rules of inMemoryWindowStore. */
  persistentWindowStore(
    name: string,
    retentionPeriodMs: number,
    windowSizeMs: number,
    retainDuplicates: boolean,
    options: RocksDBStoreOptions = {},
  ): WindowBytesStoreSupplier {
    const { retentionPeriod, windowSize } = validateWindowStore(name, retentionPeriodMs, windowSizeMs);
    checkPathComponent(name, 'Store name');
    return {
      name,
      persistent: true,
      retentionPeriod,
      windowSize,
      retainDuplicates,
      get: () => new RocksDBWindowStore(name, retentionPeriod, windowSize, retainDuplicates, options),
    };
  },

  /** A RocksDB store for timestamped window builders (Kafka's persistentTimestampedWindowStore); see persistentTimestampedKeyValueStore. */
  persistentTimestampedWindowStore(
    name: string,
    retentionPeriodMs: number,
    windowSizeMs: number,
    retainDuplicates: boolean,
    options: RocksDBStoreOptions = {},
  ): WindowBytesStoreSupplier {
    return Stores.persistentWindowStore(name, retentionPeriodMs, windowSizeMs, retainDuplicates, options);
  },

  /** A RocksDB session store supplier, with the retention rules of inMemorySessionStore. */
  persistentSessionStore(name: string, retentionPeriodMs: number, options: RocksDBStoreOptions = {}): SessionBytesStoreSupplier {
    checkPathComponent(requireNonNull(name, 'name'), 'Store name');
    const retentionPeriod = validateMillis(retentionPeriodMs, 'retentionPeriod');
    return { name, persistent: true, retentionPeriod, get: () => new RocksDBSessionStore(name, retentionPeriod, options) };
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

  /**
   * An in-memory window store supplier. Windows are kept `retentionPeriodMs`
   * behind the largest window start seen; `retainDuplicates` keeps every put
   * (for stream-stream joins). As Kafka, the retention must cover the window size.
   */
  inMemoryWindowStore(name: string, retentionPeriodMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    const { retentionPeriod, windowSize } = validateWindowStore(name, retentionPeriodMs, windowSizeMs);
    return {
      name,
      persistent: false,
      retentionPeriod,
      windowSize,
      retainDuplicates,
      get: () => new InMemoryWindowStore(name, retentionPeriod, windowSize, retainDuplicates),
    };
  },

  /** An in-memory session store supplier; sessions are kept `retentionPeriodMs` behind the largest session end seen. */
  inMemorySessionStore(name: string, retentionPeriodMs: number): SessionBytesStoreSupplier {
    requireNonNull(name, 'name');
    const retentionPeriod = validateMillis(retentionPeriodMs, 'retentionPeriod');
    return { name, persistent: false, retentionPeriod, get: () => new InMemorySessionStore(name, retentionPeriod) };
  },

  /** A builder of a typed window store. Caching is off and logging on, as in Kafka. */
  windowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): WindowStoreBuilder<K, V, WindowStore<K, V>> {
    requireNonNull(supplier, 'supplier');
    return new WindowStoreBuilder(supplier, keySerde, valueSerde, 'window');
  },

  /** A builder of a window store whose values carry timestamps (what windowed aggregations use). */
  timestampedWindowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<V> | null,
  ): WindowStoreBuilder<K, V, TimestampedWindowStore<K, V>> {
    requireNonNull(supplier, 'supplier');
    return new WindowStoreBuilder(supplier, keySerde, valueSerde, 'timestampedWindow');
  },

  /** A builder of a typed session store. Caching is off and logging on, as in Kafka. */
  sessionStoreBuilder<K, AGG>(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K> | null,
    valueSerde: Serde<AGG> | null,
  ): SessionStoreBuilder<K, AGG> {
    requireNonNull(supplier, 'supplier');
    return new SessionStoreBuilder(supplier, keySerde, valueSerde);
  },
};

/** Kafka's checks of a window store's arguments: a name, whole non-negative durations, retention >= window size. */
function validateWindowStore(name: string, retentionPeriodMs: number, windowSizeMs: number): { retentionPeriod: number; windowSize: number } {
  requireNonNull(name, 'name');
  const retentionPeriod = validateMillis(retentionPeriodMs, 'retentionPeriod');
  const windowSize = validateMillis(windowSizeMs, 'windowSize');
  if (windowSize > retentionPeriod) {
    throw new IllegalArgumentError(
      `The retention period of the window store ${name} must be no smaller than its window size. ` +
        `Got size=[${windowSize}ms], retention=[${retentionPeriod}ms]`,
    );
  }
  return { retentionPeriod, windowSize };
}

/** Kafka takes Durations, whole milliseconds that cannot be negative; numbers need checking for both. */
function validateMillis(ms: number, what: string): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms)) {
    throw new IllegalArgumentError(`${what} must be a whole number of milliseconds, got ${String(ms)}`);
  }
  if (ms < 0) throw new IllegalArgumentError(`${what} cannot be negative`);
  return ms;
}
