import type { DslStoreType } from '../../state/StoreBuilder.js';
import type { SessionBytesStoreSupplier } from '../../state/SessionStoreBuilder.js';
import { RocksDBSessionStore } from '../../state/rocksdb/RocksDBSessionStore.js';
import { type KeyValueBytesStoreSupplier, Stores } from '../../state/Stores.js';
import type { WindowBytesStoreSupplier } from '../../state/WindowStoreBuilder.js';

/**
 * The DSL's store suppliers. A store whose Materialized names a store type
 * keeps it; otherwise it follows the application's `defaultDslStore`, which
 * the task passes in (configure) before building the store — as Kafka decides
 * default.dsl.store when it builds the topology for an application.
 */
abstract class DslSupplier<S> {
  private defaultType: DslStoreType = 'in_memory';

  constructor(
    readonly name: string,
    private readonly explicitType: DslStoreType | null,
  ) {}

  configure(defaultStoreType: DslStoreType): void {
    this.defaultType = defaultStoreType;
  }

  protected get type(): DslStoreType {
    return this.explicitType ?? this.defaultType;
  }

  get persistent(): boolean {
    return this.type === 'rocks_db';
  }

  abstract get(): S;
}

class DslKeyValueSupplier extends DslSupplier<ReturnType<KeyValueBytesStoreSupplier['get']>> implements KeyValueBytesStoreSupplier {
  get() {
    return (this.type === 'rocks_db' ? Stores.persistentTimestampedKeyValueStore(this.name) : Stores.inMemoryKeyValueStore(this.name)).get();
  }
}

class DslWindowSupplier extends DslSupplier<ReturnType<WindowBytesStoreSupplier['get']>> implements WindowBytesStoreSupplier {
  constructor(
    name: string,
    explicitType: DslStoreType | null,
    readonly retentionPeriod: number,
    readonly windowSize: number,
    readonly retainDuplicates: boolean,
  ) {
    super(name, explicitType);
  }
  get() {
    return (
      this.type === 'rocks_db'
        ? Stores.persistentWindowStore(this.name, this.retentionPeriod, this.windowSize, this.retainDuplicates)
        : Stores.inMemoryWindowStore(this.name, this.retentionPeriod, this.windowSize, this.retainDuplicates)
    ).get();
  }
}

class DslSessionSupplier extends DslSupplier<ReturnType<SessionBytesStoreSupplier['get']>> implements SessionBytesStoreSupplier {
  constructor(
    name: string,
    explicitType: DslStoreType | null,
    readonly retentionPeriod: number,
    private readonly timeOrdered: boolean,
  ) {
    super(name, explicitType);
  }
  get() {
    // emit-on-close: Kafka's RocksDbTimeOrderedSessionBytesStoreSupplier (BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers)
    if (this.type === 'rocks_db' && this.timeOrdered) return new RocksDBSessionStore(this.name, this.retentionPeriod, {}, true);
    return (this.type === 'rocks_db' ? Stores.persistentSessionStore(this.name, this.retentionPeriod) : Stores.inMemorySessionStore(this.name, this.retentionPeriod)).get();
  }
}

export const DslStoreSuppliers = {
  keyValue: (name: string, type: DslStoreType | null): KeyValueBytesStoreSupplier => new DslKeyValueSupplier(name, type),
  window: (name: string, type: DslStoreType | null, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier =>
    new DslWindowSupplier(name, type, retentionMs, windowSizeMs, retainDuplicates),
  session: (name: string, type: DslStoreType | null, retentionMs: number, timeOrdered = false): SessionBytesStoreSupplier =>
    new DslSessionSupplier(name, type, retentionMs, timeOrdered),
};
