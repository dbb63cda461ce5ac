import { IllegalArgumentError } from '../errors.js';
import type { Serde } from '../serdes/Serde.js';
import type { KeyValueBytesStoreSupplier } from '../state/Stores.js';
import { validateName } from './Named.js';

/** Which store implementation the DSL uses when no supplier is given. */
export const StoreType = {
  IN_MEMORY: 'in_memory',
  ROCKS_DB: 'rocks_db',
} as const;
export type StoreType = (typeof StoreType)[keyof typeof StoreType];

/**
 * How a KTable or aggregation is materialized (Kafka's `Materialized`): store
 * name (which makes it queryable), serdes, caching, logging, retention.
 * Mutable like Kafka's: each `withX` returns the same object.
 */
export class Materialized<K, V> {
  keySerde: Serde<K> | null = null;
  valueSerde: Serde<V> | null = null;
  cachingEnabled = true;
  loggingEnabled = true;
  topicConfig: Record<string, string> = {};
  retentionMs: number | null = null;
  storeType: StoreType | null = null;

  private constructor(
    readonly storeName: string | null,
    readonly storeSupplier: KeyValueBytesStoreSupplier | null,
  ) {}

  /** Names the store (and makes it queryable), or supplies the store to use. */
  static as<K, V>(storeNameOrSupplier: string | KeyValueBytesStoreSupplier): Materialized<K, V> {
    if (typeof storeNameOrSupplier === 'string') {
      validateName(storeNameOrSupplier);
      return new Materialized<K, V>(storeNameOrSupplier, null);
    }
    if (!storeNameOrSupplier) throw new IllegalArgumentError("supplier can't be null");
    return new Materialized<K, V>(storeNameOrSupplier.name, storeNameOrSupplier);
  }

  /** Only serdes; the store gets a generated (internal) name. */
  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Materialized<K, V> {
    const m = new Materialized<K, V>(null, null);
    m.keySerde = keySerde;
    m.valueSerde = valueSerde;
    return m;
  }

  /** Only the store type. */
  static withStoreType<K, V>(type: StoreType): Materialized<K, V> {
    const m = new Materialized<K, V>(null, null);
    m.storeType = type;
    return m;
  }

  withKeySerde(serde: Serde<K> | null): this {
    this.keySerde = serde;
    return this;
  }
  withValueSerde(serde: Serde<V> | null): this {
    this.valueSerde = serde;
    return this;
  }
  withLoggingEnabled(config: Record<string, string> = {}): this {
    this.loggingEnabled = true;
    this.topicConfig = { ...config };
    return this;
  }
  withLoggingDisabled(): this {
    this.loggingEnabled = false;
    this.topicConfig = {};
    return this;
  }
  withCachingEnabled(): this {
    this.cachingEnabled = true;
    return this;
  }
  withCachingDisabled(): this {
    this.cachingEnabled = false;
    return this;
  }
  /** Retention of a window or session store. */
  withRetention(ms: number): this {
    if (!(ms >= 0)) throw new IllegalArgumentError('Retention must not be negative.');
    this.retentionMs = ms;
    return this;
  }
  withStoreType(type: StoreType): this {
    this.storeType = type;
    return this;
  }
}
