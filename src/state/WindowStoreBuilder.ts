import type { Serde } from '../serdes/Serde.js';
import { CachingWindowStore } from './internals/CachingWindowStore.js';
import { PLAIN_CHANGELOG_FORMAT, TIMESTAMPED_CHANGELOG_FORMAT } from './internals/ChangeLoggingKeyValueStore.js';
import { ChangeLoggingWindowBytesStore } from './internals/ChangeLoggingWindowBytesStore.js';
import { plainCodec, type ValueCodec } from './internals/MeteredKeyValueStore.js';
import { MeteredWindowStore } from './internals/MeteredWindowStore.js';
import { timestampedCodec } from './internals/TimestampedCodec.js';
import type { WindowBytesStore } from './internals/WindowBytesStore.js';
import { AbstractStoreBuilder, type DslStoreType } from './StoreBuilder.js';
import type { ValueAndTimestamp } from './ValueAndTimestamp.js';
import type { WindowStore } from './WindowStore.js';

/** Makes the byte-level bottom of a window store (in-memory now; RocksDB behind the same interface). */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionPeriod: number;
  readonly windowSize: number;
  /** Keep every put as its own entry (stream-stream join buffers); such stores are never cached. */
  readonly retainDuplicates: boolean;
  get(): WindowBytesStore;
}

/** A window store whose values carry the timestamp of their last update (what windowed aggregations use). */
export type TimestampedWindowStore<K, V> = WindowStore<K, ValueAndTimestamp<V>>;

/** Which value layout a window builder stores. */
export type WindowStoreKind = 'window' | 'timestampedWindow';

/** Builds MeteredWindowStore over [caching] over [change-logging] over the supplied bytes store. */
export class WindowStoreBuilder<K, V, S extends WindowStore<K, unknown>> extends AbstractStoreBuilder<S> {
  constructor(
    private readonly supplier: WindowBytesStoreSupplier,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly kind: WindowStoreKind,
  ) {
    super(supplier.name);
  }

  get persistent(): boolean {
    return this.supplier.persistent;
  }
  get retentionPeriod(): number {
    return this.supplier.retentionPeriod;
  }
  get windowSize(): number {
    return this.supplier.windowSize;
  }
  get retainDuplicates(): boolean {
    return this.supplier.retainDuplicates;
  }

  /** A cache would compact the duplicates away, so Kafka disables caching for such stores; the flag stays false. */
  override withCachingEnabled(): this {
    if (!this.supplier.retainDuplicates) this.cachingEnabled = true;
    return this;
  }

  /** Duplicates have unique changelog keys that compaction never removes, so, as Kafka, their changelog deletes by time. */
  override logConfig(): Readonly<Record<string, string>> {
    const config = super.logConfig();
    return this.supplier.retainDuplicates ? { 'cleanup.policy': 'delete', ...config } : config;
  }

  configure(defaultStoreType: DslStoreType): void {
    this.configureSupplier(this.supplier, defaultStoreType);
  }

  build(): S {
    let store: WindowBytesStore = this.supplier.get();
    const timestamped = this.kind === 'timestampedWindow';
    if (this.loggingEnabled) {
      store = new ChangeLoggingWindowBytesStore(store, timestamped ? TIMESTAMPED_CHANGELOG_FORMAT : PLAIN_CHANGELOG_FORMAT);
    }
    if (this.cachingEnabled && !this.supplier.retainDuplicates) store = new CachingWindowStore(store);
    const makeCodec = timestamped
      ? (serde: Serde<unknown>) => timestampedCodec<V>(serde) as ValueCodec<unknown>
      : (serde: Serde<unknown>) => plainCodec<V>(serde) as ValueCodec<unknown>;
    return new MeteredWindowStore<K, unknown>(store, this.keySerde, makeCodec, this.valueSerde as Serde<unknown> | null) as unknown as S;
  }
}
