import type { StateStore } from './StateStore.js';

/**
 * Builds a fresh store stack for each task (Kafka's `StoreBuilder`). The
 * Topology keeps builders, never store instances, so tasks never share state.
 */
export interface StoreBuilder<T extends StateStore> {
  readonly name: string;
  /** Caching on: writes stay in the record cache until commit or eviction. */
  withCachingEnabled(): this;
  withCachingDisabled(): this;
  /** Logging on (the default): changes go to `<applicationId>-<name>-changelog` with these topic configs. */
  withLoggingEnabled(config?: Readonly<Record<string, string>>): this;
  withLoggingDisabled(): this;
  readonly cachingEnabled: boolean;
  readonly loggingEnabled: boolean;
  logConfig(): Readonly<Record<string, string>>;
  /** True when the store keeps data on disk. */
  readonly persistent: boolean;
  /**
   * Called with the application's default DSL store type before a task builds
   * the store (Kafka's default.dsl.store): DSL stores pick RocksDB or memory then.
   */
  configure?(defaultStoreType: DslStoreType): void;
  build(): T;
}

/** Which bottom store the DSL uses when a Materialized names no store type or supplier. */
export type DslStoreType = 'rocks_db' | 'in_memory';

/** A bytes-store supplier whose kind may follow the application's default DSL store type. */
export interface ConfigurableSupplier {
  configure?(defaultStoreType: DslStoreType): void;
}

/** Common builder state; subclasses assemble the layers. */
export abstract class AbstractStoreBuilder<T extends StateStore> implements StoreBuilder<T> {
  cachingEnabled = false;
  loggingEnabled = true;
  private topicConfig: Readonly<Record<string, string>> = {};

  constructor(readonly name: string) {}

  abstract readonly persistent: boolean;

  withCachingEnabled(): this {
    this.cachingEnabled = true;
    return this;
  }
  withCachingDisabled(): this {
    this.cachingEnabled = false;
    return this;
  }
  withLoggingEnabled(config: Readonly<Record<string, string>> = {}): this {
    this.loggingEnabled = true;
    this.topicConfig = { ...config };
    return this;
  }
  withLoggingDisabled(): this {
    this.loggingEnabled = false;
    this.topicConfig = {};
    return this;
  }
  logConfig(): Readonly<Record<string, string>> {
    return this.topicConfig;
  }
  /** Passes the default DSL store type on to a supplier that follows it. */
  protected configureSupplier(supplier: object, type: DslStoreType): void {
    (supplier as ConfigurableSupplier).configure?.(type);
  }

  abstract build(): T;
}
